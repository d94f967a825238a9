"""Every network file read into one form (form.py) and written back from it; read.py is the
one place that picks a reader by file.
"""
