"""The counter mode (らくらく窓口): the terminal's ticket, and the staff console at the counter."""
