"""The request pipeline, one stage per module: router, auth, body, validation, negotiation, mocker."""
