"""Portable records: Open Badges 3.0 credentials and xAPI learning records.

``badge`` decides who earned what and builds the credential; ``verify`` signs it as a
VC-JWT (Ed25519) and checks it offline against ``contexts`` shipped in the package;
``keys`` keeps the issuer's keys outside the repository; ``xapi`` and ``lrs`` turn
progress records into statements and deliver them through an on-disk queue.
"""
