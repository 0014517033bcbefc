"""Lambda entry point of the central API: the FastAPI app behind Mangum."""

from mangum import Mangum

from functions.central_api.app import create_app

handler = Mangum(create_app(), lifespan="auto")
