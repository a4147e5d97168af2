"""The synchronous clients (`bitbucket_client.sync`), against the fakes and a real loopback server."""
