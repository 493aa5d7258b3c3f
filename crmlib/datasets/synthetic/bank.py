"""A retail bank's customers as six source systems see them, plus the truth behind them.

The single-customer-view exercise (chapter 06) and the Bank of America case: each source
system (deposits, loans, cards, investments, online banking, branch) keeps its own customer
records under its own IDs, with its own habits of writing names (order, case, hyphens,
romanisation of Korean family names such as Lee/Yi/Rhee), addresses, phone numbers and birth
dates, plus typos, stale addresses after a move and duplicate records within a system.
The hidden ``truth`` table says which person each record belongs to, so matching can be
scored by precision and recall. The ``customers`` table is the integrated warehouse view
(demographics, channel preference, recent life events, product holdings and annual
profitability), and ``pilot`` is a randomised pilot campaign whose response rises after a
life event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for, sigmoid

__all__ = ["make_bank", "BANK_SCHEMAS", "BANK_SYSTEMS", "BANK_MATCH_FIELDS", "PROFIT_RATES"]

SNAPSHOT = pd.Timestamp("2024-06-30")
BANK_SYSTEMS = ["deposits", "loans", "cards", "investments", "online", "branch"]
#: Per system, its columns that hold the fields used for matching (the ``fields`` argument
#: of :func:`crmlib.warehouse.stack_sources`).
BANK_MATCH_FIELDS: dict[str, dict[str, str]] = {
    "deposits": {"source_id": "deposit_customer_no", "name": "name", "birth_date": "birth_date",
                 "phone": "phone", "address": "address"},
    "loans": {"source_id": "borrower_id", "name": "borrower_name",
              "birth_date": "birth_yyyymmdd", "phone": "phone", "address": "address"},
    "cards": {"source_id": "card_customer_id", "name": "cardholder_name", "phone": "phone",
              "address": "address"},
    "investments": {"source_id": "investor_no", "name": "name", "birth_date": "birth_date",
                    "email": "email"},
    "online": {"source_id": "user_id", "name": "display_name", "phone": "mobile",
               "email": "email"},
    "branch": {"source_id": "branch_customer_no", "name": "name", "phone": "phone",
               "address": "address"},
}  # fmt: skip
REGIONS = ["Seoul", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "Gyeonggi", "Gangwon"]
CHANNELS = ["branch", "e-mail", "PC banking"]
LIFE_EVENTS = ["marriage", "child", "retirement", "home_purchase"]

# canonical romanisation -> variants used by other systems
_FAMILY = {
    "Kim": ["Gim"], "Lee": ["Yi", "Rhee", "Rhie"], "Park": ["Pak", "Bak"], "Choi": ["Choe"],
    "Jung": ["Jeong", "Chung"], "Kang": ["Gang"], "Cho": ["Jo"], "Yoon": ["Yun"],
    "Jang": ["Chang"], "Lim": ["Im", "Rim"], "Han": ["Hahn"], "Oh": ["O"], "Seo": ["Suh"],
    "Shin": ["Sin"], "Kwon": ["Gwon"], "Hwang": ["Whang"], "Ahn": ["An"], "Song": [],
    "Yoo": ["Yu"], "Jeon": ["Chun", "Jun"],
}  # fmt: skip
_FAMILY_P = np.array([21.5, 14.7, 8.4, 4.7, 4.3, 2.4, 2.1, 2.1, 2.0, 1.7, 1.5, 1.5, 1.5, 1.5,
                      1.4, 1.4, 1.3, 1.3, 1.2, 1.1])  # fmt: skip
_SYLLABLE = {
    "min": [], "jun": ["joon"], "seo": ["suh"], "yeon": ["yun"], "ji": ["jee"],
    "hyun": ["hyeon"], "woo": ["u"], "young": ["yeong"], "eun": ["un"], "soo": ["su"],
    "ha": [], "jin": [], "ho": [], "yun": ["yoon"], "sung": ["seong"], "hee": ["hui"],
    "kyung": ["gyeong"], "na": [], "won": [], "jae": [],
}  # fmt: skip
_STREETS = ["Teheran-ro", "Sejong-daero", "Hannam-daero", "Jong-ro", "Olympic-ro",
            "Gangnam-daero", "Dongil-ro", "Haeundae-ro", "Jungang-daero", "Gyeongin-ro",
            "Dalgubeol-daero", "Hanbat-daero", "Mudeung-ro", "Suwon-ro", "Chuncheon-ro"]  # fmt: skip
_DISTRICTS = {
    "Seoul": ["Gangnam-gu", "Jongno-gu", "Mapo-gu", "Songpa-gu", "Nowon-gu"],
    "Busan": ["Haeundae-gu", "Busanjin-gu"], "Incheon": ["Namdong-gu", "Yeonsu-gu"],
    "Daegu": ["Suseong-gu", "Dalseo-gu"], "Daejeon": ["Yuseong-gu", "Seo-gu"],
    "Gwangju": ["Buk-gu", "Nam-gu"], "Gyeonggi": ["Suwon-si", "Seongnam-si", "Goyang-si"],
    "Gangwon": ["Chuncheon-si", "Wonju-si"],
}  # fmt: skip
_BRANCHES = ["Gangnam", "Jongno", "Mapo", "Haeundae", "Suwon", "Bundang", "Daegu", "Yuseong"]

# annual profit contributions, thousand won per thousand won of balance (or per event)
PROFIT_RATES = {
    "deposit_margin": 0.015,  # per unit of deposit balance
    "loan_margin": 0.022,  # interest rate minus funding cost, per unit of loan outstanding
    "delinquency_loss": 0.08,  # per unit of a delinquent loan
    "card_interchange": 0.012,  # per unit of yearly card spend (12 x monthly)
    "card_revolving": 0.14,  # per unit of revolving balance
    "investment_fee": 0.009,  # per unit of assets under management
    "branch_visit_cost": 9.0,  # per visit
    "online_login_cost": 0.05,  # per login
    "fixed_cost": 150.0,  # per customer per year
}

_STR = "str"
BANK_SCHEMAS: dict[str, dict] = {
    "deposits": {
        "deposit_customer_no": _STR, "name": _STR, "birth_date": "date", "address": _STR,
        "phone": _STR, "accounts": "int", "balance": "float0", "opened": "date",
    },
    "loans": {
        "borrower_id": _STR, "borrower_name": _STR, "birth_yyyymmdd": _STR, "address": _STR,
        "postal_code": _STR, "phone": _STR, "loan_type": category(["mortgage", "personal", "auto"]),
        "outstanding": "float0", "interest_rate": "float4", "delinquent": "bool",
    },
    "cards": {
        "card_customer_id": _STR, "cardholder_name": _STR, "phone": _STR, "address": _STR,
        "credit_limit": "float0", "monthly_spend": "float0", "revolving_balance": "float0",
    },
    "investments": {
        "investor_no": _STR, "name": _STR, "birth_date": _STR, "email": _STR,
        "assets_under_management": "float0",
        "risk_profile": category(["conservative", "balanced", "growth"], ordered=True),
    },
    "online": {
        "user_id": _STR, "display_name": _STR, "email": _STR, "mobile": _STR,
        "logins_per_year": "int", "email_opt_in": "bool", "last_login": "date",
    },
    "branch": {
        "branch_customer_no": _STR, "home_branch": category(_BRANCHES), "name": _STR,
        "address": _STR, "phone": _STR, "visits_per_year": "int",
    },
    "truth": {"system": category(BANK_SYSTEMS), "source_id": _STR, "person_id": _STR},
    "customers": {
        "person_id": _STR, "family_name": _STR, "given_name": _STR,
        "sex": category(["F", "M"]), "birth_date": "date", "age": "int",
        "region": category(REGIONS), "income": "float0",
        "household": category(["single", "couple", "family"]),
        "preferred_channel": category(CHANNELS), "tenure_years": "int",
        "marriage": "bool", "child": "bool", "retirement": "bool", "home_purchase": "bool",
        "n_products": "int", "annual_profit": "float1",
    },
    "pilot": {
        "person_id": _STR, "group": category(["treatment", "control"]),
        "responded": "bool", "product": category(["mortgage", "savings", "investment",
                                                  "card", "insurance"]),
    },
}  # fmt: skip


def _typo(rng: np.random.Generator, text: str) -> str:
    """One keying error: swap, drop or double a letter inside the text."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return text
    i = int(rng.choice(letters[1:-1]))
    kind = rng.integers(0, 3)
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


class _Styler:
    """Writes one person's details the way one source system does, with its noise."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def name(self, family: str, syllables: tuple[str, str], style: str, p_variant: float,
             p_typo: float) -> str:  # fmt: skip
        rng = self.rng
        if _FAMILY[family] and rng.random() < p_variant:
            family = str(rng.choice(_FAMILY[family]))
        syl = [
            str(rng.choice(_SYLLABLE[s])) if _SYLLABLE[s] and rng.random() < p_variant else s
            for s in syllables
        ]
        join = rng.choice(["-", "", " "], p=[0.5, 0.35, 0.15])
        given = (syl[0] + join + syl[1]).title() if join == " " else (syl[0] + join + syl[1])
        given = given[0].upper() + given[1:]
        if style == "family first":
            out = f"{family} {given}"
        elif style == "western":
            out = f"{given} {family}"
        elif style == "upper":
            out = f"{family.upper()} {given.upper().replace('-', '')}"
        elif style == "comma":
            out = f"{family.upper()}, {given}"
        else:  # "mixed": whatever the customer typed in
            out = rng.choice(
                [f"{given} {family}", f"{family} {given}", f"{given} {family}".lower()]
            )
        return _typo(rng, out) if rng.random() < p_typo else out

    def address(self, addr: tuple, p_moved: float, fallback: tuple) -> str:
        number, street, district, city = fallback if self.rng.random() < p_moved else addr
        form = self.rng.integers(0, 4)
        if form == 0:
            return f"{number} {street}, {district}, {city}"
        if form == 1:
            return f"{street} {number}, {district}, {city}"
        if form == 2:
            return f"{city} {district} {street} {number}"
        return f"{number} {street.replace('-daero', ' Daero').replace('-ro', ' Ro')}, {city}"

    def phone(self, digits: str, p_missing: float) -> str | None:
        if self.rng.random() < p_missing:
            return None
        a, b, c = digits[:3], digits[3:7], digits[7:]
        return str(self.rng.choice([f"{a}-{b}-{c}", f"{a}{b}{c}", f"+82-10-{b}-{c}",
                                    f"{a} {b} {c}"]))  # fmt: skip


def make_bank(n_persons: int = 4000, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A bank's customers in six source systems, the matching truth and the warehouse view.

    Planted effects and facts:

    - **matching**: every record in the six systems belongs to one person (``truth``); a
      person has about 3.5 records on average and 4 % have two records in the deposit
      system. Names vary by system (order, case, hyphenation, comma), by romanisation
      (Lee/Yi/Rhee, Park/Pak, min-joon/min-jun, ...) and by typos; addresses by format and
      by stale addresses after a move; phones by format; birth dates by format (deposits
      ISO date, loans ``YYYYMMDD`` text, investments ``DD/MM/YYYY`` text);
    - **profitability**: ``customers.annual_profit`` is computed from the product fields of
      the source records with :data:`PROFIT_RATES` (deposit margin, loan margin minus
      delinquency losses, card interchange and revolving interest, investment fees, minus
      branch-visit, online-login and fixed costs). It is very skewed: the top 10 % of
      customers bring most of the profit and many customers lose money;
    - **life events** (last 12 months): marriage (mostly ages 26-38), child (28-42),
      home purchase (30-55) and retirement (58-66);
    - **pilot**: a random sample of 1,500 (or half the persons if fewer) split 50/50 into
      treatment (contacted by a financial manager with an offer) and control. Response is
      taking a new product within 90 days, log-odds -3.3, +1.5 with any life event,
      +0.9 for treatment, +0.4 in the top profit decile; the offered product follows the
      event (home purchase -> mortgage, child -> savings or insurance, retirement ->
      investment, marriage -> card or savings).

    Parameters
    ----------
    n_persons : int
        Number of distinct persons (at least 100).
    seed : int
        Seed of the random stream.

    Returns
    -------
    dict of DataFrame
        One frame per source system (keys in :data:`BANK_SYSTEMS`) plus ``"truth"``
        (system, source_id, person_id), ``"customers"`` (one row per person) and
        ``"pilot"``. Money is in thousand won; columns and dtypes are in
        :data:`BANK_SCHEMAS`.

    Examples
    --------
    >>> bank = make_bank(n_persons=200, seed=1)
    >>> sorted(bank)[:3]
    ['branch', 'cards', 'customers']
    >>> n_records = sum(len(bank[s]) for s in BANK_SYSTEMS)
    >>> n_records == len(bank["truth"])
    True
    """
    n = check_size(n_persons, "n_persons", minimum=100)
    rng = rng_for(check_seed(seed), "bank")
    style = _Styler(rng)
    fam_names = list(_FAMILY)
    syll = list(_SYLLABLE)

    # --- persons -------------------------------------------------------------------------
    family = rng.choice(len(fam_names), size=n, p=_FAMILY_P / _FAMILY_P.sum())
    given = rng.integers(0, len(syll), size=(n, 2))
    given[:, 1] = (given[:, 0] + 1 + given[:, 1] % (len(syll) - 1)) % len(syll)  # no "Min-min"
    sex = rng.choice(["F", "M"], size=n)
    age = np.clip(np.round(rng.gamma(9.0, 5.0, n)), 19, 88).astype(int)
    birth = SNAPSHOT - pd.to_timedelta(age * 365.25 + rng.integers(0, 365, n), unit="D")
    birth = birth.normalize()
    region = rng.choice(len(REGIONS), size=n, p=[0.3, 0.1, 0.08, 0.07, 0.05, 0.04, 0.3, 0.06])
    income = np.round(rng.lognormal(np.log(38000) + 0.012 * np.minimum(age, 55), 0.55), 0)
    income = np.where(age >= 65, income * 0.5, income)
    married = rng.random(n) < sigmoid((age - 32) / 4)
    household = np.where(married, np.where(rng.random(n) < 0.6, "family", "couple"), "single")
    channel = np.where(
        rng.random(n) < sigmoid((age - 55) / 8), "branch",
        rng.choice(["e-mail", "PC banking"], size=n, p=[0.4, 0.6])
    )  # fmt: skip
    tenure = np.minimum(rng.integers(0, 30, n), age - 18)

    def bump(lo: int, hi: int, p: float) -> np.ndarray:
        return (age >= lo) & (age <= hi) & (rng.random(n) < p)

    events = {
        "marriage": bump(26, 38, 0.10),
        "child": bump(28, 42, 0.09),
        "retirement": bump(58, 66, 0.12),
        "home_purchase": bump(30, 55, 0.07),
    }
    addresses = []
    old_addresses = []
    for i in range(n):
        for out in (addresses, old_addresses):
            r = REGIONS[region[i]] if out is addresses else REGIONS[rng.integers(0, len(REGIONS))]
            out.append(
                (int(rng.integers(1, 400)), str(rng.choice(_STREETS)),
                 str(rng.choice(_DISTRICTS[r])), r)
            )  # fmt: skip
    postal = rng.integers(10000, 63000, n)
    phone = [f"010{a:04d}{b:04d}" for a, b in zip(rng.integers(2000, 9999, n),
                                                   rng.integers(0, 9999, n), strict=True)]  # fmt: skip
    person_id = [f"P{i + 1:06d}" for i in range(n)]
    canon_given = [f"{syll[a].title()}-{syll[b]}" for a, b in given]
    email_user = [
        f"{syll[a]}{syll[b]}.{fam_names[f].lower()}{int(rng.integers(1, 99))}"
        for (a, b), f in zip(given, family, strict=True)
    ]
    email = [u + str(rng.choice(["@naver.com", "@gmail.com", "@daum.net"])) for u in email_user]

    # --- product holdings (drive which systems know the person) ----------------------------
    wealth = income * rng.lognormal(0, 0.8, n)
    has = {
        "deposits": rng.random(n) < 0.93,
        "loans": (rng.random(n) < 0.25 + 0.5 * events["home_purchase"]) & (age >= 23) & (age < 75),
        "cards": rng.random(n) < sigmoid(1.0 - (age - 45) / 20),
        "investments": rng.random(n) < sigmoid(-2.6 + wealth / 60000 + (age - 45) / 25),
        "online": rng.random(n) < sigmoid(2.0 - (age - 35) / 10),
        "branch": (rng.random(n) < 0.35) | (channel == "branch"),
    }
    none = ~np.any(np.column_stack(list(has.values())), axis=1)
    has["deposits"] |= none  # everyone holds at least one product

    records: dict[str, list[dict]] = {s: [] for s in BANK_SYSTEMS}
    truth: list[tuple[str, str, str]] = []
    counter = {s: 0 for s in BANK_SYSTEMS}
    profit = -PROFIT_RATES["fixed_cost"] * np.ones(n)

    def add(system: str, i: int, record: dict, source_id: str) -> None:
        records[system].append(record)
        truth.append((system, source_id, person_id[i]))

    moved = rng.random(n) < 0.12  # moved house: some systems still have the old address
    for i in range(n):
        fam, syl = fam_names[family[i]], (syll[given[i, 0]], syll[given[i, 1]])
        addr, old = addresses[i], addresses[i] if not moved[i] else old_addresses[i]
        if has["deposits"][i]:
            copies = 2 if rng.random() < 0.04 else 1
            for _ in range(copies):
                counter["deposits"] += 1
                sid = f"D{1000000 + 7 * counter['deposits']:07d}"
                balance = round(float(wealth[i] * rng.lognormal(-1.2, 0.7)), 0)
                profit[i] += PROFIT_RATES["deposit_margin"] * balance
                add("deposits", i, {
                    "deposit_customer_no": sid,
                    "name": style.name(fam, syl, "family first", 0.05, 0.04),
                    "birth_date": birth[i],
                    "address": style.address(addr, 0.3, old),
                    "phone": style.phone(phone[i], 0.1),
                    "accounts": int(1 + rng.poisson(0.6)),
                    "balance": balance,
                    "opened": SNAPSHOT - pd.Timedelta(days=int(tenure[i] * 365 + rng.integers(0, 365))),
                }, sid)  # fmt: skip
        if has["loans"][i]:
            counter["loans"] += 1
            sid = f"LN-{2015 + counter['loans'] % 10}-{counter['loans']:05d}"
            kind = "mortgage" if events["home_purchase"][i] or rng.random() < 0.4 else str(
                rng.choice(["personal", "auto"]))  # fmt: skip
            scale = {"mortgage": 250000, "personal": 15000, "auto": 22000}[kind]
            outstanding = round(float(scale * rng.lognormal(0, 0.5)), 0)
            rate = round(float({"mortgage": 0.045, "personal": 0.075, "auto": 0.06}[kind]
                               + rng.normal(0, 0.005)), 4)  # fmt: skip
            late = bool(rng.random() < 0.04 + 0.06 * (income[i] < 25000))
            profit[i] += PROFIT_RATES["loan_margin"] * outstanding
            profit[i] -= PROFIT_RATES["delinquency_loss"] * outstanding * late
            add("loans", i, {
                "borrower_id": sid,
                "borrower_name": style.name(fam, syl, "western", 0.25, 0.05),
                "birth_yyyymmdd": birth[i].strftime("%Y%m%d"),
                "address": style.address(addr, 0.2, old),
                "postal_code": f"{postal[i]:05d}",
                "phone": style.phone(phone[i], 0.05),
                "loan_type": kind, "outstanding": outstanding, "interest_rate": rate,
                "delinquent": late,
            }, sid)  # fmt: skip
        if has["cards"][i]:
            counter["cards"] += 1
            sid = f"C{9400000 + 13 * counter['cards']}"
            limit = round(float(min(income[i] * 0.2, 30000) // 500 * 500 + 1000), 0)
            spend = round(float(limit * rng.beta(2, 5)), 0)
            revolving = round(float(spend * 3 * (rng.random() < 0.25) * rng.random()), 0)
            profit[i] += PROFIT_RATES["card_interchange"] * 12 * spend
            profit[i] += PROFIT_RATES["card_revolving"] * revolving
            add("cards", i, {
                "card_customer_id": sid,
                "cardholder_name": style.name(fam, syl, "upper", 0.15, 0.06),
                "phone": style.phone(phone[i], 0.02),
                "address": style.address(addr, 0.15, old),
                "credit_limit": limit, "monthly_spend": spend, "revolving_balance": revolving,
            }, sid)  # fmt: skip
        if has["investments"][i]:
            counter["investments"] += 1
            sid = f"INV/{counter['investments']:05d}"
            aum = round(float(wealth[i] * rng.lognormal(0.3, 0.8)), 0)
            profit[i] += PROFIT_RATES["investment_fee"] * aum
            risk = "conservative" if age[i] > 60 else str(rng.choice(["balanced", "growth"]))
            add("investments", i, {
                "investor_no": sid,
                "name": style.name(fam, syl, "comma", 0.1, 0.03),
                "birth_date": birth[i].strftime("%d/%m/%Y") if rng.random() > 0.05 else None,
                "email": email[i] if rng.random() > 0.2 else None,
                "assets_under_management": aum, "risk_profile": risk,
            }, sid)  # fmt: skip
        if has["online"][i]:
            counter["online"] += 1
            sid = email_user[i].split(".")[0] + f"{counter['online']:04d}"
            logins = int(rng.poisson(60 if channel[i] == "PC banking" else 20))
            profit[i] -= PROFIT_RATES["online_login_cost"] * logins
            add("online", i, {
                "user_id": sid,
                "display_name": style.name(fam, syl, "mixed", 0.2, 0.08),
                "email": email[i] if rng.random() > 0.1 else email[i].upper(),
                "mobile": style.phone(phone[i], 0.15),
                "logins_per_year": logins,
                "email_opt_in": bool(rng.random() < (0.8 if channel[i] == "e-mail" else 0.35)),
                "last_login": SNAPSHOT - pd.Timedelta(days=int(rng.exponential(20))),
            }, sid)  # fmt: skip
        if has["branch"][i]:
            counter["branch"] += 1
            home = int(rng.integers(0, len(_BRANCHES)))
            sid = f"B{home + 1:02d}-{counter['branch']:05d}"
            visits = int(rng.poisson(10 if channel[i] == "branch" else 2))
            profit[i] -= PROFIT_RATES["branch_visit_cost"] * visits
            add("branch", i, {
                "branch_customer_no": sid, "home_branch": _BRANCHES[home],
                "name": style.name(fam, syl, "family first", 0.3, 0.05),
                "address": style.address(addr, 0.4, old),
                "phone": style.phone(phone[i], 0.1),
                "visits_per_year": visits,
            }, sid)  # fmt: skip

    out = {
        s: apply_schema(pd.DataFrame(records[s], columns=list(BANK_SCHEMAS[s])), BANK_SCHEMAS[s])
        for s in BANK_SYSTEMS
    }
    truth_df = pd.DataFrame(truth, columns=["system", "source_id", "person_id"])
    out["truth"] = apply_schema(
        truth_df.sort_values(["person_id", "system", "source_id"], ignore_index=True),
        BANK_SCHEMAS["truth"],
    )
    n_products = sum(has[s].astype(int) for s in ("deposits", "loans", "cards", "investments"))
    customers = pd.DataFrame({
        "person_id": person_id, "family_name": [fam_names[f] for f in family],
        "given_name": canon_given, "sex": sex, "birth_date": birth, "age": age,
        "region": np.array(REGIONS)[region], "income": income, "household": household,
        "preferred_channel": channel, "tenure_years": tenure, **events,
        "n_products": n_products, "annual_profit": np.round(profit, 1),
    })  # fmt: skip
    out["customers"] = apply_schema(customers, BANK_SCHEMAS["customers"])

    # --- pilot campaign: a random sample, half contacted ------------------------------------
    size = min(1500, n // 2)
    sample = np.sort(rng.choice(n, size=size, replace=False))
    treated = rng.permutation(size) < size // 2
    any_event = np.any(np.column_stack(list(events.values())), axis=1)[sample]
    top = (profit >= np.quantile(profit, 0.9))[sample]
    responded = rng.random(size) < sigmoid(-3.3 + 1.5 * any_event + 0.9 * treated + 0.4 * top)
    product = []
    for j, i in enumerate(sample):
        if not responded[j]:
            product.append(None)
        elif events["home_purchase"][i]:
            product.append("mortgage")
        elif events["child"][i]:
            product.append(str(rng.choice(["savings", "insurance"])))
        elif events["retirement"][i]:
            product.append("investment")
        elif events["marriage"][i]:
            product.append(str(rng.choice(["card", "savings"])))
        else:
            product.append(str(rng.choice(["savings", "card", "investment", "insurance"])))
    pilot = pd.DataFrame({
        "person_id": np.array(person_id)[sample],
        "group": np.where(treated, "treatment", "control"),
        "responded": responded, "product": product,
    })  # fmt: skip
    out["pilot"] = apply_schema(pilot, BANK_SCHEMAS["pilot"])
    return out
