"""Word lists the generator draws from, exported so other tests can check the junk rules against them.

Ordinary people (`FIRST_NAMES`, `LAST_NAMES`) include accents, apostrophes, hyphens and particles
on purpose: a junk rule that flags "Zoë O'Brien" or "Nguyễn" is a bug. No token of an ordinary name
appears in `FICTIONAL_NAMES` or `KEYBOARD_MASHES` (the generator's tests check it).

Junk lists (`FICTIONAL_NAMES`, `KEYBOARD_MASHES`, `DISPOSABLE_DOMAINS`, `ROLE_LOCAL_PARTS`,
`OUT_OF_MARKET_COUNTRIES`, ...) are the values planted in junk leads; `JUNK_REASONS` are the reason
codes written to `_generator/planted_leads.csv`.
"""

from __future__ import annotations

import unicodedata

FIRST_NAMES: tuple[str, ...] = (
    "Emma", "Olivia", "Liam", "Noah", "Sophia", "Mia", "Lucas", "Ethan", "Amelia", "James",
    "Charlotte", "Benjamin", "Isabella", "Elijah", "Ava", "William", "Evelyn", "Henry", "Grace",
    "Daniel", "Chloe", "Matthew", "Emily", "David", "Sarah", "Michael", "Laura", "Thomas", "Anna",
    "Robert", "Rachel", "Andrew", "Hannah", "Samuel", "Natalie", "Ryan", "Megan", "Kevin", "Nicole",
    "Brian", "Rebecca", "Jason", "Alice", "Oliver", "Lily", "George", "Freya", "Oscar", "Imogen",
    "Alfie", "Poppy", "Finn", "Ella", "Max", "Lena", "Felix", "Lea", "Paul", "Julia", "Jonas",
    "Katharina", "Lukas", "Marie", "Tobias", "Sabine", "Florian", "Ines", "Hugo", "Camille",
    "Louis", "Manon", "Julien", "Léa", "Chloé", "Renée", "François", "Hélène", "Thibault",
    "Agnès", "José", "María", "Sofía", "Ángel", "Lucía", "Martín", "Nuño", "Zoë", "Noël",
    "Søren", "Åsa", "Björn", "Jürgen", "Jörg", "Łukasz", "Małgorzata", "Zoltán", "Siobhán", "Seán",
    "Niamh", "Aoife", "Ciarán", "Eoin", "D'Andre", "Anne-Marie", "Jean-Baptiste", "Marie-Claire",
    "Jae-won", "Wei", "Mei", "Xiaoling", "Hiroshi", "Yuki", "Haruto", "Sakura", "Min-jun",
    "Seo-yeon", "Priya", "Arjun", "Ananya", "Rohan", "Deepika", "Vikram", "Aisha", "Omar",
    "Fatima", "Yusuf", "Layla", "Mohammed", "Chidi", "Ngozi", "Kwame", "Amara", "Thanh", "Minh",
    "Linh", "Duc", "Mateus", "Gabriela", "Thiago", "Beatriz", "Giulia", "Alessandro", "Francesca",
    "Matteo", "Sven", "Ingrid", "Astrid", "Lars", "Mikko", "Aino", "Dmitri", "Olga", "Katarzyna",
    "Tomasz", "Bogdan", "Ioana", "Eleni", "Nikos", "Ayşe", "Mehmet", "Noa", "Yael", "Kai",
    "Ximena", "Joaquín", "Renata", "Iñaki", "Maëlle", "Raphaël", "Anaïs", "Cédric",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Evans", "Collins",
    "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson",
    "Reed", "Bailey", "Bell", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks",
    "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Ross", "Foster", "Powell", "Jenkins",
    "Perry", "Russell", "Sullivan", "O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "D'Angelo",
    "D'Souza", "McAllister", "Fitzgerald", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
    "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schröder", "Krüger", "Weiß", "Jäger",
    "Groß", "Köhler", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Rousseau",
    "Fontaine", "Chevalier", "Bérénger", "García", "Fernández", "González", "Rodríguez", "López",
    "Martínez", "Sánchez", "Pérez", "Ibáñez", "Núñez", "Muñoz", "de la Cruz", "van der Berg",
    "van Dijk", "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Østergaard", "Sørensen",
    "Hansen", "Johansson", "Lindqvist", "Åkesson", "Nieminen", "Virtanen", "Kowalski", "Nowak",
    "Wiśniewski", "Wójcik", "Dvořák", "Novák", "Horváth", "Nagy", "Popescu", "Ionescu",
    "Papadopoulos", "Yılmaz", "Çelik", "Öztürk", "Rossi", "Russo", "Ferrari", "Esposito",
    "Bianchi", "Romano", "Silva", "Santos", "Oliveira", "Souza", "Costa", "Ferreira", "Nguyễn",
    "Trần", "Phạm", "Hoàng", "Wang", "Zhang", "Chen", "Zhao", "Huang", "Kim", "Park", "Choi",
    "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Sato", "Patel", "Sharma", "Gupta", "Iyer",
    "Reddy", "Khan", "Hussain", "Rahman", "Haddad", "Nasser", "Okafor", "Adeyemi", "Mensah",
    "Cohen", "Levi", "Ivanov", "Petrov", "Smith-Jones", "Garcia-Lopez", "Al-Sayed",
)

# (firstname, lastname) of fictional characters and placeholder names.
FICTIONAL_NAMES: tuple[tuple[str, str], ...] = (
    ("Obi-Wan", "Kenobi"), ("Mickey", "Mouse"), ("Minnie", "Mouse"), ("Donald", "Duck"),
    ("Test", "Test"), ("Test", "User"), ("John", "Doe"), ("Jane", "Doe"), ("Darth", "Vader"),
    ("Homer", "Simpson"), ("Bart", "Simpson"), ("Harry", "Potter"), ("Hermione", "Granger"),
    ("Asdf", "Asdf"), ("Luke", "Skywalker"), ("Bruce", "Wayne"), ("Clark", "Kent"),
    ("Peter", "Parker"), ("Tony", "Stark"), ("Sherlock", "Holmes"), ("Bugs", "Bunny"),
    ("Santa", "Claus"), ("Frodo", "Baggins"), ("Spongebob", "Squarepants"),
)

KEYBOARD_MASHES: tuple[str, ...] = (
    "asdf", "qwerty", "xkcdfgh", "aaaa", "sdfsdf", "asdfgh", "qwer", "zxcv", "zxcvbn", "hjkl",
    "jkjkjk", "fghj", "dfgdfg", "qweqwe", "lkjhg", "xxxx", "zzzz", "ghjk", "asdasd", "wert",
    "yxcvb", "sdfg", "qqqq", "jjjj", "poiuy", "mnbvc",
)

FREE_MAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "gmx.de",
    "web.de", "yahoo.co.uk", "protonmail.com",
)
FREE_MAIL_WEIGHTS: tuple[float, ...] = (45, 12, 12, 10, 6, 2, 4, 3, 3, 3)

DISPOSABLE_DOMAINS: tuple[str, ...] = (
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "trashmail.com",
    "tempmail.com", "sharklasers.com", "getnada.com", "dispostable.com", "throwawaymail.com",
    "maildrop.cc", "temp-mail.org", "fakeinbox.com", "mailnesia.com",
)

ROLE_LOCAL_PARTS: tuple[str, ...] = (
    "info", "noreply", "no-reply", "admin", "sales", "support", "contact", "office", "hello",
    "marketing", "billing", "webmaster", "postmaster", "team",
)

# Values a `name_has_email_or_url` junk lead types into the firstname field.
SPAM_NAME_VALUES: tuple[str, ...] = (
    "www.spam.com", "http://cheap-deals.biz", "https://win-a-prize.net/now", "visit www.spam.com",
    "buy@cheap-pills.biz", "john@example.com", "seo-services.io", "www.best-casino.xyz",
)

TARGET_COUNTRIES: tuple[str, ...] = ("US", "GB", "DE", "FR", "CA", "NL", "AU")
OTHER_COUNTRIES: tuple[str, ...] = (
    "ES", "IT", "SE", "IE", "CH", "AT", "BE", "DK", "PL", "JP", "SG", "BR", "IN", "MX", "AR", "ZA",
    "NG", "ID", "PH", "EG", "VN", "PK", "TR",
)
# Countries used for cold leads: real markets, but far from the target ones.
FAR_MARKET_COUNTRIES: tuple[str, ...] = ("BR", "IN", "NG", "ID", "PH", "EG", "VN", "PK", "AR", "MX")
OUT_OF_MARKET_COUNTRIES: tuple[str, ...] = ("KP", "IR", "SY", "CU")
COUNTRIES: tuple[str, ...] = TARGET_COUNTRIES + OTHER_COUNTRIES
COUNTRY_WEIGHTS: tuple[float, ...] = (
    (38, 12, 10, 6, 5, 4, 4) + (2, 2, 1.2, 1, 1, 0.8, 0.8, 0.8, 1.2, 0.8, 0.8, 2, 3, 1, 0.6, 0.6)
    + (0.7, 0.6, 0.6, 0.5, 0.5, 0.4, 0.6)
)

CITIES: dict[str, tuple[str, ...]] = {
    "US": ("New York", "San Francisco", "Austin", "Chicago", "Boston", "Seattle", "Denver",
           "Atlanta", "Los Angeles", "Miami"),
    "GB": ("London", "Manchester", "Edinburgh", "Bristol", "Leeds", "Cambridge"),
    "DE": ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Düsseldorf"),
    "FR": ("Paris", "Lyon", "Toulouse", "Nantes", "Bordeaux", "Lille"),
    "CA": ("Toronto", "Vancouver", "Montréal", "Calgary", "Ottawa"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag"),
    "AU": ("Sydney", "Melbourne", "Brisbane", "Perth"),
    "ES": ("Madrid", "Barcelona", "Valencia"), "IT": ("Milano", "Roma", "Torino"),
    "SE": ("Stockholm", "Göteborg", "Malmö"), "IE": ("Dublin", "Cork", "Galway"),
    "CH": ("Zürich", "Genève", "Basel"), "AT": ("Wien", "Graz"), "BE": ("Bruxelles", "Antwerpen"),
    "DK": ("København", "Aarhus"), "PL": ("Warszawa", "Kraków", "Wrocław"),
    "JP": ("Tokyo", "Osaka"), "SG": ("Singapore",), "BR": ("São Paulo", "Rio de Janeiro"),
    "IN": ("Bengaluru", "Mumbai", "Pune", "Hyderabad"), "MX": ("Ciudad de México", "Monterrey"),
    "AR": ("Buenos Aires", "Córdoba"), "ZA": ("Cape Town", "Johannesburg"), "NG": ("Lagos", "Abuja"),
    "ID": ("Jakarta", "Bandung"), "PH": ("Manila", "Cebu"), "EG": ("Cairo", "Alexandria"),
    "VN": ("Hà Nội", "Hồ Chí Minh"), "PK": ("Karachi", "Lahore"), "TR": ("İstanbul", "Ankara"),
    "KP": ("Pyongyang",), "IR": ("Tehran", "Isfahan"), "SY": ("Damascus", "Aleppo"),
    "CU": ("Havana", "Santiago de Cuba"),
}
PHONE_PREFIXES: dict[str, str] = {
    "US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33", "NL": "+31", "AU": "+61",
    "ES": "+34", "IT": "+39", "SE": "+46", "IE": "+353", "CH": "+41", "AT": "+43", "BE": "+32",
    "DK": "+45", "PL": "+48", "JP": "+81", "SG": "+65", "BR": "+55", "IN": "+91", "MX": "+52",
    "AR": "+54", "ZA": "+27", "NG": "+234", "ID": "+62", "PH": "+63", "EG": "+20", "VN": "+84",
    "PK": "+92", "TR": "+90", "KP": "+850", "IR": "+98", "SY": "+963", "CU": "+53",
}
COUNTRY_TLDS: dict[str, str] = {
    "US": "com", "GB": "co.uk", "DE": "de", "FR": "fr", "CA": "ca", "NL": "nl", "AU": "com.au",
    "ES": "es", "IT": "it", "SE": "se", "IE": "ie", "CH": "ch", "AT": "at", "BE": "be", "DK": "dk",
    "PL": "pl", "JP": "jp", "SG": "sg", "BR": "com.br", "IN": "in", "MX": "mx",
}

# Seniority levels, in the order used by the population arrays.
SENIORITY_LEVELS: tuple[str, ...] = (
    "c_level", "vp", "head", "director", "manager", "individual", "student", "unknown",
)
SENIORITY_WEIGHTS: tuple[float, ...] = (4, 6, 6, 10, 22, 38, 10, 4)
# (title, is_technical) per level; "unknown" is an empty job title.
JOB_TITLES: dict[str, tuple[tuple[str, bool], ...]] = {
    "c_level": (("CEO", False), ("CTO", True), ("CFO", False), ("COO", False),
                ("Chief Marketing Officer", False), ("Chief Data Officer", True),
                ("Chief Revenue Officer", False), ("Founder & CEO", False), ("CIO", True)),
    "vp": (("VP of Engineering", True), ("VP Sales", False), ("Vice President, Marketing", False),
           ("VP Data & Analytics", True), ("SVP Finance", False), ("VP Revenue Operations", False),
           ("VP Product", True)),
    "head": (("Head of Data", True), ("Head of Growth", False), ("Head of Engineering", True),
             ("Head of Marketing Operations", False), ("Head of Sales", False),
             ("Head of IT", True)),
    "director": (("Director of Engineering", True), ("Marketing Director", False),
                 ("Director, Revenue Operations", False), ("Sr. Director of IT", True),
                 ("Director of Finance", False), ("Analytics Director", True)),
    "manager": (("Marketing Manager", False), ("Engineering Manager", True),
                ("Product Manager", True), ("Sales Manager", False), ("Data Team Lead", True),
                ("Operations Manager", False), ("Office Manager", False)),
    "individual": (("Software Engineer", True), ("Data Analyst", True),
                   ("Senior Data Engineer", True), ("Marketing Specialist", False),
                   ("Business Analyst", False), ("Account Executive", False),
                   ("DevOps Engineer", True), ("Accountant", False), ("Consultant", False),
                   ("Analytics Engineer", True), ("Customer Success Associate", False),
                   ("Teacher", False)),
    "student": (("Student", False), ("Intern", False), ("Marketing Intern", False),
                ("PhD Student", True), ("Graduate Student", False), ("Working Student", True)),
    "unknown": (("", False),),
}

INDUSTRIES: tuple[str, ...] = (
    "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education",
    "Non-profit", "Government", "Media", "Professional Services", "Telecommunications",
    "Logistics",
)
INDUSTRY_WEIGHTS: tuple[float, ...] = (22, 12, 9, 10, 9, 8, 5, 5, 5, 7, 4, 4)
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Labs", "Systems", "Cloud", "Analytics", "Technologies"),
    "Financial Services": ("Capital", "Bank", "Financial", "Insurance", "Payments"),
    "Healthcare": ("Health", "Medical", "Clinics", "Pharma"),
    "Manufacturing": ("Industries", "Manufacturing", "Robotics", "Materials"),
    "Retail": ("Retail", "Stores", "Outfitters", "Market"),
    "Education": ("Academy", "University", "Learning", "School"),
    "Non-profit": ("Foundation", "Trust", "Alliance"),
    "Government": ("County Council", "Public Agency", "Municipality"),
    "Media": ("Media", "Studios", "Publishing"),
    "Professional Services": ("Consulting", "Partners", "Advisory"),
    "Telecommunications": ("Telecom", "Networks", "Communications"),
    "Logistics": ("Logistics", "Freight", "Shipping"),
}
LEGAL_FORMS: dict[str, str] = {
    "US": "Inc.", "GB": "Ltd", "DE": "GmbH", "FR": "SAS", "NL": "B.V.", "AU": "Pty Ltd",
    "CA": "Inc.", "CH": "AG", "AT": "GmbH", "SE": "AB",
}
# Company name stems: every adjective + noun concatenation is distinct (tests check it), so a
# company's domain is unique without a random suffix.
COMPANY_ADJECTIVES: tuple[str, ...] = (
    "Blue", "North", "Silver", "Bright", "Iron", "Swift", "Clear", "Red", "Green", "Granite",
    "Golden", "Quiet", "Bold", "Hidden", "Lunar", "Solar", "Amber", "Crystal", "Deep", "Wild",
    "Urban", "Open", "True", "Prime", "Rapid", "Noble", "Cedar", "Maple", "Coral", "Polar",
    "Vivid", "Silent", "Summit", "Copper", "Velvet", "Emerald", "Scarlet", "Ivory", "Onyx", "Cobalt",
    "Misty", "Sunny", "Frost", "Ember", "Stone", "Steel", "Orbit", "Nova", "Zenith", "Apex",
    "Pioneer", "Harbor", "Canyon", "Meadow", "Glacier", "Thunder", "Crimson", "Azure", "Sable",
    "Jade", "Opal", "Ruby", "Slate", "Willow",
)
COMPANY_NOUNS: tuple[str, ...] = (
    "peak", "river", "forge", "pine", "falcon", "beacon", "bridge", "field", "gate", "leaf",
    "path", "point", "ridge", "rock", "shore", "spring", "star", "tide", "vale", "wave",
    "wing", "works", "yard", "arc", "bay", "bloom", "brook", "crest", "dale", "dune", "fjord",
    "fox", "glen", "grove", "hawk", "haven", "isle", "lake", "lark", "loop", "mesa", "mill",
    "moor", "nest", "oak", "owl", "pond", "quay", "raven", "reef", "sail", "sky", "sparrow",
    "stream", "trail", "tower", "vista", "wolf", "bear", "lynx", "otter", "heron", "cove",
    "kite", "lantern", "anchor", "compass", "signal", "vector", "pixel", "quartz", "cinder",
    "hollow", "summit", "meadow", "harbor", "canyon", "thicket", "lagoon", "prairie", "basin",
    "atlas", "circuit", "current", "ember", "flint", "garnet", "helix", "ion", "jet", "keel",
    "lumen", "matrix", "nimbus", "pulse",
)

LIFECYCLE_STAGES: tuple[str, ...] = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer",
)
ANALYTICS_SOURCES: tuple[str, ...] = (
    "ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
    "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL",
)
ANALYTICS_SOURCE_WEIGHTS: tuple[float, ...] = (30, 12, 10, 8, 8, 6, 16, 5, 5)
PERSONAS: tuple[str, ...] = ("technical_buyer", "economic_buyer", "end_user", "student")

OPEN_DEAL_STAGES: tuple[str, ...] = (
    "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
    "contractsent",
)
CLOSED_DEAL_STAGES: tuple[str, ...] = ("closedwon", "closedlost")

JUNK_REASONS: tuple[str, ...] = (
    "fictional_name", "keyboard_mash", "disposable_email", "malformed_email", "role_address",
    "name_has_email_or_url", "duplicate_email", "out_of_market",
)
PLANTED_KINDS: tuple[str, ...] = ("hot", "cold", "junk")

_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                       "ı": "i", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"})


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Nguyễn" -> "nguyen", "O'Brien" -> "obrien"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def name_tokens(name: str) -> set[str]:
    """Folded tokens of a name, split on spaces and hyphens: "Obi-Wan" -> {"obi", "wan"}."""
    return {ascii_fold(part) for part in name.replace("-", " ").split() if ascii_fold(part)}


_ACCENTED = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")


def fictional_variant(first: str, last: str, style: int) -> tuple[str, str]:
    """A spelling variant of a fictional name, as people type it into forms.

    Styles: 0 as is, 1 last name upper-cased, 2 all lower-case, 3 hyphen dropped and extra
    spaces, 4 accents on the vowels, 5 trailing punctuation, 6 whole name in the firstname field.
    """
    style %= 7
    if style == 1:
        return first, last.upper()
    if style == 2:
        return first.lower(), last.lower()
    if style == 3:
        return first.replace("-", "") + " ", " " + last
    if style == 4:
        return first[:1] + first[1:].translate(_ACCENTED), last.translate(_ACCENTED)
    if style == 5:
        return first, last + "."
    if style == 6:
        return f"{first}  {last.upper()}", ""
    return first, last
