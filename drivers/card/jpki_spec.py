"""What the JPKI AP looks like from outside: AID, EF ids, tokens, status words, DigestInfo."""

from __future__ import annotations

JPKI_AID = bytes.fromhex("D392F000260100000001")

# Elementary files of the JPKI AP.
EF_TOKEN = 0x0006
EF_SIGN_CERT = 0x0001  # readable only after the signing PIN is verified
EF_SIGN_CA = 0x0002
EF_AUTH_CERT = 0x000A
EF_AUTH_CA = 0x000B
EF_AUTH_KEY = 0x0017
EF_AUTH_PIN = 0x0018
EF_SIGN_KEY = 0x001A
EF_SIGN_PIN = 0x001B

AUTH_PIN_TRIES = 3
SIGN_PIN_TRIES = 5
MAX_TRIES = {EF_AUTH_PIN: AUTH_PIN_TRIES, EF_SIGN_PIN: SIGN_PIN_TRIES}

TOKEN_LENGTH = 20
TOKENS = {
    "mynumber": "JPKIAPICCTOKEN2",
    "smartphone": "JPKIAPGPSETOKEN",
    "juki": "JPKIAPICCTOKEN",
}
KINDS = {token: kind for kind, token in TOKENS.items()}

# Status words.
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE_FILE = 0x6981
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985  # an iPhone whose owner declined on the phone
SW_REF_DATA_BLOCKED = 0x6984
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FUNC_NOT_SUPPORTED = 0x6A81
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_REF_DATA_NOT_FOUND = 0x6A88
SW_OFFSET_BEYOND_END = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_NO_DIAGNOSIS = 0x6F00

# ASN.1 DigestInfo prefixes (PKCS #1 v1.5), followed by the hash value.
DIGEST_INFO_PREFIXES = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha224": bytes.fromhex("302d300d06096086480165030402040500041c"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}

# The PIN reset (暗証番号の再設定): GET CHALLENGE with a PIN EF selected, then RESET RETRY
# COUNTER ``00 2C 02 80`` with the center's AES-CMAC authorisation ‖ the new PIN.
SW_CONDITIONS_NOT_SATISFIED = 0x6985  # no nonce of the card's for this PIN (none, or used)
PIN_EFS = {"user": EF_AUTH_PIN, "signing": EF_SIGN_PIN}
CARD_NONCE_BYTES = 8
RESET_MAC_BYTES = 16
