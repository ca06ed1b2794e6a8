def wrap_anthropic(client):
    return client
