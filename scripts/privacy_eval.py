#!/usr/bin/env python3
"""Evaluation set for Loket's personal-data detectors (issue 11).

Made with Faker's nl_NL locale and a fixed seed: short Dutch helpdesk texts
that carry BSNs, IBANs, phone numbers, addresses, names (after a label),
dates of birth and e-mail addresses, each with its ground truth, plus
look-alike negatives (invoice and order numbers that fail the eleven-test,
ticket numbers, an office's postcode). One JSON object per line:
{"text": ..., "truth": {"bsn": 1, ...}}.

With --files DIR it also writes attachments as customers send them: XLSX
and CSV tables of clients (with look-alike columns: order numbers, ticket
numbers, amounts), and DOCX and PDF letters in running text, each with its
ground truth in DIR/files.jsonl: {"file": "tabel-01.xlsx", "truth": {...}}.

    pip install faker openpyxl python-docx fpdf2
    python3 scripts/privacy_eval.py --files crates/loket/data/privacy-eval \
        > crates/loket/data/privacy-eval.jsonl
    target/release/loket bench-privacy --eval crates/loket/data/privacy-eval.jsonl \
        --eval-files crates/loket/data/privacy-eval
"""
import csv
import io
import json
import os
import random
import sys

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


FILES_PER_KIND = 10


def table(rows_wanted):
    """A client table with its truth: every personal column counts per row."""
    header = ["Cliëntnummer", "Naam", "BSN", "Geboortedatum", "Adres", "Postcode", "Woonplaats",
              "Telefoon", "E-mail", "IBAN", "Ordernummer", "Ticket", "Bedrag"]
    rows = []
    for i in range(rows_wanted):
        rows.append([
            str(rnd.randrange(10_000, 99_999)),
            fake.name(),
            fake.ssn(),
            fake.date_of_birth(minimum_age=1, maximum_age=100).strftime("%d-%m-%Y"),
            fake.street_address(),
            fake.postcode(),
            fake.city(),
            fake.phone_number(),
            fake.email(),
            fake.iban(),
            failing_nine_digits(),
            str(rnd.randrange(100001, 999999)),
            f"{rnd.randrange(1, 5000)},{rnd.randrange(0, 99):02d}",
        ])
    n = len(rows)
    truth = {"name": n, "bsn": n, "birth_date": n, "address": n, "phone": n, "email": n, "iban": n}
    return header, rows, truth


def letter():
    """Running text of a letter with its truth."""
    lines, truth = [], {}
    for _ in range(rnd.randrange(6, 14)):
        if rnd.random() < 0.5:
            kind = rnd.choice(sorted(POSITIVE))
            lines.append(POSITIVE[kind]())
            truth[kind] = truth.get(kind, 0) + 1
        else:
            lines.append(rnd.choice(NEGATIVE)())
    return lines, truth


def write_files(folder):
    from docx import Document
    from fpdf import FPDF
    from openpyxl import Workbook

    os.makedirs(folder, exist_ok=True)
    manifest = []
    for i in range(1, FILES_PER_KIND + 1):
        header, rows, truth = table(rnd.randrange(20, 60))
        book = Workbook()
        sheet = book.active
        sheet.title = "Cliënten"
        sheet.append(header)
        for r in rows:
            sheet.append(r)
        name = f"tabel-{i:02d}.xlsx"
        book.save(os.path.join(folder, name))
        manifest.append({"file": name, "truth": truth})

        header, rows, truth = table(rnd.randrange(20, 60))
        out = io.StringIO()
        w = csv.writer(out, delimiter=";")
        w.writerow(header)
        w.writerows(rows)
        name = f"export-{i:02d}.csv"
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())
        manifest.append({"file": name, "truth": truth})

        lines, truth = letter()
        doc = Document()
        for line in lines:
            doc.add_paragraph(line)
        name = f"brief-{i:02d}.docx"
        doc.save(os.path.join(folder, name))
        manifest.append({"file": name, "truth": truth})

        lines, truth = letter()
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        for line in lines:
            pdf.multi_cell(0, 6, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
        name = f"verslag-{i:02d}.pdf"
        pdf.output(os.path.join(folder, name))
        manifest.append({"file": name, "truth": truth})
    with open(os.path.join(folder, "files.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")


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
    # After the texts, so the text set stays what it was.
    if "--files" in sys.argv:
        write_files(sys.argv[sys.argv.index("--files") + 1])


if __name__ == "__main__":
    main()
