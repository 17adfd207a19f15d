"""SageMaker LLM Stack service: the inference client library and the HTTP API over the endpoint."""
