project = "pyti-test-nsdoc"
extensions = []
