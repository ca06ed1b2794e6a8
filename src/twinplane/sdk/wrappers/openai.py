def wrap_openai(client):
    return client
