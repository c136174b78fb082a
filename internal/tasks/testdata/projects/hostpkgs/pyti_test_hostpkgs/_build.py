SEEN = None  # setup.py writes what the build saw
