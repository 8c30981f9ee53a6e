print("twinning")
