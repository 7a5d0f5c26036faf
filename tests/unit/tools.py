"""Scripts under tools/ loaded as modules, for their unit tests."""

import importlib
import importlib.util
import pathlib
import sys
import types

TOOLS = pathlib.Path(__file__).resolve().parents[2] / 'tools'


def load(script: str) -> types.ModuleType:
    """Import ``tools/<script>`` (a file name with dashes) as a module."""
    name = script.rsplit('.', 1)[0].replace('-', '_')
    spec = importlib.util.spec_from_file_location(name, TOOLS / script)
    module = importlib.util.module_from_spec(spec)
    # Registered as an import would, for what looks it up (dataclasses).
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_module(name: str) -> types.ModuleType:
    """Import a module of a package under tools/ (``gatecheck.shell``).

    tools/ goes on sys.path, as it is for the scripts there that import it.
    """
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    return importlib.import_module(name)
