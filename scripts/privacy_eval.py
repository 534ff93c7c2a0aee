#!/usr/bin/env python3
"""Evaluation set for Loket's personal-data detectors (issue 11).

Made with Faker's nl_NL locale and a fixed seed: short Dutch helpdesk texts
that carry BSNs, IBANs, phone numbers, addresses, names (after a label),
dates of birth and e-mail addresses, each with its ground truth, plus
look-alike negatives (invoice and order numbers that fail the eleven-test,
ticket numbers, an office's postcode). One JSON object per line:
{"text": ..., "truth": {"bsn": 1, ...}}.

    pip install faker
    python3 scripts/privacy_eval.py > crates/loket/data/privacy-eval.jsonl
    target/release/loket bench-privacy --eval crates/loket/data/privacy-eval.jsonl
"""
import json
import random

from faker import Faker

SEED = 20261129
SAMPLES = 2000

fake = Faker("nl_NL")
Faker.seed(SEED)
rnd = random.Random(SEED)


def failing_nine_digits():
    while True:
        n = rnd.randrange(100_000_000, 1_000_000_000)
        d = [int(c) for c in str(n)]
        if (sum(x * w for x, w in zip(d[:8], range(9, 1, -1))) - d[8]) % 11 != 0:
            return str(n)


POSITIVE = {
    "bsn": lambda: f"Het BSN van de cliënt is {fake.ssn()}.",
    "iban": lambda: f"Graag terugstorten op {fake.iban()} t.n.v. de cliënt.",
    "phone": lambda: f"U kunt mij bereiken op {fake.phone_number()}.",
    "address": lambda: f"De cliënt woont aan de {fake.street_address()} in {fake.city()}.",
    "name": lambda: f"Naam: {fake.name()}",
    "birth_date": lambda: f"Geboortedatum: {fake.date_of_birth(minimum_age=1, maximum_age=100).strftime('%d-%m-%Y')}",
    "email": lambda: f"Stuur het antwoord naar {fake.email()}.",
}

NEGATIVE = [
    lambda: f"Factuurnummer {failing_nine_digits()} is nog niet betaald.",
    lambda: f"Het gaat om order {failing_nine_digits()} van vorige week.",
    lambda: f"Dit is vervolg op ticket {rnd.randrange(100001, 999999)}.",
    lambda: f"Ons kantoor: Postbus {rnd.randrange(1, 999)}, {fake.postcode()} {fake.city()}.",
    lambda: "De export van de kwartaalrapportage geeft een foutmelding.",
    lambda: f"Versie {rnd.randrange(7, 9)}.{rnd.randrange(0, 9)}.{rnd.randrange(0, 20)} lost dit op.",
]


def main():
    for _ in range(SAMPLES):
        lines, truth = [], {}
        for kind in rnd.sample(sorted(POSITIVE), rnd.randrange(0, 4)):
            lines.append(POSITIVE[kind]())
            truth[kind] = truth.get(kind, 0) + 1
        for _ in range(rnd.randrange(1, 3)):
            lines.append(rnd.choice(NEGATIVE)())
        rnd.shuffle(lines)
        print(json.dumps({"text": "\n".join(lines), "truth": truth}, ensure_ascii=False))


if __name__ == "__main__":
    main()
