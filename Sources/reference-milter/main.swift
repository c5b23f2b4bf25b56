print("reference-milter: under construction")
