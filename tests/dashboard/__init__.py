"""Dashboard tests: plain-Python logic, and the app in a real browser (marker ``browser``)."""
