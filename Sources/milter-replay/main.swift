print("milter-replay: under construction")
