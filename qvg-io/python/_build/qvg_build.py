"""A PEP 517 build backend for the one-module qvg-read package, with no dependencies.

Why not setuptools: pip builds a package in an isolated environment into which it first downloads
the backend named in pyproject.toml, so `pip install ./qvg-io/python` with setuptools needs the
network (or --no-build-isolation). This backend sits in the source tree (pyproject.toml's
backend-path) and needs nothing but the standard library, so the install works offline with any
pip >= 21.3 and Python >= 3.8. It reads the [project] table of pyproject.toml (tomllib, else
tomli, else the small TOML subset that file is written in) and builds a pure-Python wheel of
qvg_read.py: the module, METADATA, WHEEL, entry_points.txt (the qvg-read command) and RECORD.
It also builds an sdist and an editable wheel (pip install -e), a .pth file pointing here.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = "qvg_read.py"
SDIST_FILES = ["pyproject.toml", "README.md", MODULE, "_build/qvg_build.py"]
# fixed timestamps: the same sources give the same wheel (SOURCE_DATE_EPOCH overrides)
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, the earliest a zip can hold


def _toml_subset(text):
    """The tables of a TOML file written with [table] headers, `key = "string"` and `key = ["a", "b"]`."""
    tables, current = {}, None
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
        if m:
            current = tables.setdefault(m.group(1), {})
            continue
        m = re.fullmatch(r'("?[A-Za-z0-9_.-]+"?)\s*=\s*(.+)', line)
        if not m or current is None:
            raise ValueError(f"pyproject.toml line {n}: outside the TOML subset this backend reads: {line}")
        key, value = m.group(1).strip('"'), m.group(2).strip()
        if re.fullmatch(r'"[^"\\]*"', value):
            current[key] = value[1:-1]
        elif re.fullmatch(r'\[\s*("[^"\\]*"\s*,?\s*)*\]', value):
            current[key] = re.findall(r'"([^"\\]*)"', value)
        else:
            raise ValueError(f"pyproject.toml line {n}: value outside the TOML subset this backend reads: {value}")
    return tables


def _project():
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        raw = f.read()
    try:
        import tomllib as toml
    except ImportError:
        try:
            import tomli as toml
        except ImportError:
            toml = None
    if toml is not None:
        data = toml.loads(raw.decode("utf-8"))
        project = dict(data["project"])
        project["scripts"] = data["project"].get("scripts", {})
        project["optional-dependencies"] = data["project"].get("optional-dependencies", {})
        return project
    tables = _toml_subset(raw.decode("utf-8"))
    project = dict(tables["project"])
    project["scripts"] = tables.get("project.scripts", {})
    project["optional-dependencies"] = tables.get("project.optional-dependencies", {})
    return project


def _dist_name(project):
    return re.sub(r"[-_.]+", "_", project["name"])


def _metadata(project):
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project.get('description', '')}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    for dep in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {dep}")
    for extra, deps in project["optional-dependencies"].items():
        lines.append(f"Provides-Extra: {extra}")
        for dep in deps:
            lines.append(f'Requires-Dist: {dep}; extra == "{extra}"')
    readme = project.get("readme")
    body = ""
    if readme:
        lines.append("Description-Content-Type: text/markdown")
        with open(os.path.join(HERE, readme), encoding="utf-8") as f:
            body = f.read()
    return "\n".join(lines) + "\n\n" + body


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _write_wheel(wheel_directory, files):
    """A wheel of `files` (archive name -> bytes) plus its dist-info; returns its file name."""
    project = _project()
    name, version = _dist_name(project), project["version"]
    info = f"{name}-{version}.dist-info"
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata(project).encode("utf-8")
    files[f"{info}/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: qvg_build\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n").encode("utf-8")
    if project["scripts"]:
        files[f"{info}/entry_points.txt"] = ("[console_scripts]\n" + "".join(
            f"{k} = {v}\n" for k, v in project["scripts"].items())).encode("utf-8")
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode("utf-8")
    wheel = f"{name}-{version}-py3-none-any.whl"
    stamp = time.gmtime(max(EPOCH, 315532800))[:6]
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            zi = zipfile.ZipInfo(path, stamp)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return wheel


def _read(rel):
    with open(os.path.join(HERE, rel), "rb") as f:
        return f.read()


# PEP 517 hooks


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {MODULE: _read(MODULE)})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {"qvg_read_editable.pth": (HERE + "\n").encode("utf-8")})


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    target = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, target), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        members = {rel: _read(rel) for rel in SDIST_FILES}
        members["PKG-INFO"] = _metadata(project).encode("utf-8")
        for rel, data in members.items():
            ti = tarfile.TarInfo(f"{base}/{rel}")
            ti.size, ti.mtime, ti.mode = len(data), EPOCH, 0o644
            tar.addfile(ti, io.BytesIO(data))
    return target
