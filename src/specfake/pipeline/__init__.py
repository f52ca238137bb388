"""The request pipeline, one stage per module: route, auth, body, validate, mock, check."""
