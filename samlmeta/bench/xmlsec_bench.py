"""Times libxmlsec1 (python-xmlsec, in-process) on the documents written by
the samlmeta benchmark program: parse the document, register the ID
attributes, verify every ds:Signature with the signing certificate.

Usage: python3 xmlsec_bench.py DIR  (prints JSON: name -> median ns/op)
"""
import json
import statistics
import sys
import time

import xmlsec
from lxml import etree

DSIG = "{http://www.w3.org/2000/09/xmldsig#}Signature"


def verify(doc, key, want):
    root = etree.fromstring(doc)
    xmlsec.tree.add_ids(root, ["ID"])
    n = 0
    for sig in root.iter(DSIG):
        ctx = xmlsec.SignatureContext()
        ctx.key = key
        ctx.verify(sig)  # raises xmlsec.VerificationError on failure
        n += 1
    if n != want:
        raise SystemExit("expected %d signatures, verified %d" % (want, n))


def median_ns(fn):
    loops, spent = 1, 0.0
    while spent < 0.2:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        spent = time.perf_counter() - start
        if spent < 0.2:
            loops *= 2
    runs = []
    for _ in range(6):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        runs.append((time.perf_counter() - start) / loops * 1e9)
    return statistics.median(runs)


def main():
    d = sys.argv[1]
    out = {}
    with open(d + "/manifest.json") as f:
        cases = json.load(f)
    for c in cases:
        with open(d + "/" + c["doc"], "rb") as f:
            doc = f.read()
        key = xmlsec.Key.from_file(d + "/" + c["cert"], xmlsec.constants.KeyDataFormatCertPem)
        verify(doc, key, c["signatures"])
        out[c["name"]] = median_ns(lambda: verify(doc, key, c["signatures"]))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
