"""The lab's cash hardware: emulated devices on pseudo-terminals."""
