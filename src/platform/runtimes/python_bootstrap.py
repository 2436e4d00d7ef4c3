# The python runtime's entry. Python compiles a script it is started with on every start, but
# loads an imported module's compiled form from __pycache__: the runtime itself is a module,
# compiled once when the platform installs it (runtimes/index.ts), so a cold start skips compiling it.
import faasbench_runtime

faasbench_runtime.main()
