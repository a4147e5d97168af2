"""The fault suite: the client against a real loopback HTTP server that misbehaves on purpose."""
