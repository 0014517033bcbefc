"""Lambda entry point of the central API: the FastAPI app behind Mangum."""

from chalkops.http.lambda_adapter import lambda_handler
from functions.central_api.app import create_app

handler = lambda_handler(create_app())
