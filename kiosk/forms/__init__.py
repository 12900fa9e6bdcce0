"""Pre-filled application forms (書かない窓口): the templates and their PDF renderer."""
