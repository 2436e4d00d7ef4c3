# The measure function's commands, one module per family; app.py dispatches to them.
