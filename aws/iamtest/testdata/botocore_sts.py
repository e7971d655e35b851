"""Presents SAML Responses to the fake STS through botocore, AWS's own
service model, and prints each outcome as one JSON line.

Usage: botocore_sts.py ENDPOINT CASES_JSON

CASES_JSON is a list of {"name", "role", "principal", "assertion"}, presented
in order. No credentials are configured: botocore sends AssumeRoleWithSAML
unsigned because its model says the operation needs no auth (it would fail
with NoCredentialsError otherwise).
"""
import json
import sys

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    endpoint, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        cases = json.load(f)
    session = botocore.session.get_session()
    client = session.create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    for case in cases:
        out = {"name": case["name"], "botocore": botocore.__version__}
        try:
            resp = client.assume_role_with_saml(
                RoleArn=case["role"],
                PrincipalArn=case["principal"],
                SAMLAssertion=case["assertion"],
            )
            creds = resp["Credentials"]
            out["code"] = "OK"
            out["status"] = resp["ResponseMetadata"]["HTTPStatusCode"]
            out["accessKeyPrefix"] = creds["AccessKeyId"][:4]
            out["hasSecret"] = bool(creds["SecretAccessKey"]) and bool(creds["SessionToken"])
            out["expirationParsed"] = hasattr(creds["Expiration"], "year")
            out["audience"] = resp.get("Audience", "")
            out["subjectType"] = resp.get("SubjectType", "")
            out["assumedRoleArn"] = resp["AssumedRoleUser"]["Arn"]
        except ClientError as e:
            out["code"] = e.response["Error"]["Code"]
            out["status"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
