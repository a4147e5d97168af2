"""Async, fully typed client for the Bitbucket Cloud 2.0 and Bitbucket Data Center REST APIs."""
