"""Read queries of the API, one module per family, over any supported dialect."""
