"""Lambda entry point of a regional API: the FastAPI app behind Mangum."""

from mangum import Mangum

from functions.regional_api.app import create_app

handler = Mangum(create_app(), lifespan="auto")
