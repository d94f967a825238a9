"""One pipeline per command, named as the command: check every option once, then read, run
and write.
"""
