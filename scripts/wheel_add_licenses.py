#!/usr/bin/env python3
"""Puts the licences of the libraries auditwheel bundled into a repaired wheel.

`auditwheel repair` copies shared libraries (here libcrypto and libjansson) into
`<dist>.libs/` and records where each came from in the wheel's SBOM
(`.dist-info/sboms/auditwheel.cdx.json`, Debian package URLs). For every Debian package
there, this copies `/usr/share/doc/<package>/copyright` into
`.dist-info/licenses/bundled/<package>.copyright`, lists it as a `License-File` in
METADATA, and rewrites RECORD. It fails when a bundled library has no licence to ship.

usage: wheel_add_licenses.py WHEEL   (rewritten in place)
"""
import base64
import hashlib
import json
import os
import re
import sys
import tempfile
import zipfile

DOC = "/usr/share/doc"


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def main(wheel):
    with zipfile.ZipFile(wheel) as z:
        infos = {i.filename: i for i in z.infolist() if not i.is_dir()}   # keeps file modes
        entries = {n: z.read(i) for n, i in infos.items()}
    dist_info = next(n.split("/")[0] for n in entries if n.endswith(".dist-info/METADATA"))
    libs = sorted(n for n in entries if re.match(r"[^/]+\.libs/[^/]+\.so", n))
    sbom = json.loads(entries[f"{dist_info}/sboms/auditwheel.cdx.json"])
    packages = sorted({c["name"] for c in sbom["components"]
                       if c.get("purl", "").startswith("pkg:deb/")})
    if len(packages) < len(libs):
        sys.exit(f"{wheel}: {len(libs)} bundled libraries ({libs}) but only Debian packages "
                 f"{packages} in the SBOM: cannot tell every library's licence")
    added = []
    for package in packages:
        path = os.path.join(DOC, package, "copyright")
        if not os.path.exists(path):
            sys.exit(f"{wheel}: no licence for bundled {package} ({path} missing)")
        name = f"{dist_info}/licenses/bundled/{package}.copyright"
        with open(path, "rb") as f:
            entries[name] = f.read()
        added.append(name.split("/licenses/", 1)[1])

    meta = entries[f"{dist_info}/METADATA"].decode()
    head, sep, body = meta.partition("\n\n")
    head += "".join(f"\nLicense-File: {n}" for n in added if f"License-File: {n}" not in head)
    entries[f"{dist_info}/METADATA"] = (head + sep + body).encode()

    record = f"{dist_info}/RECORD"
    lines = [f"{n},{record_hash(d)},{len(d)}" for n, d in sorted(entries.items()) if n != record]
    entries[record] = ("\n".join(lines + [f"{record},,"]) + "\n").encode()

    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(wheel)), suffix=".whl")
    os.close(fd)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        # RECORD last, as wheel tools write it
        for name in sorted(entries, key=lambda n: (n == record, n)):
            info = infos.get(name) or zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            if name not in infos:
                info.external_attr = 0o100644 << 16
            z.writestr(info, entries[name], zipfile.ZIP_DEFLATED)
    os.replace(tmp, wheel)
    for n in added:
        print(f"{os.path.basename(wheel)}: added {dist_info}/licenses/{n}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
