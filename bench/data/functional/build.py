"""Build Gatehouse's functional test suite for comment moderation (HateCheck-style).

    .venv/bin/python bench/data/functional/build.py      # writes functional.csv beside it

Every case is a template filled with slot values (identity terms, children, staff, places).
The split is BY TEMPLATE, so the test half measures generalisation to wordings the models
never saw, not memory: within each functional class, template i is
    test  if i % 3 == 2,   dev  if i % 6 == 0,   train otherwise.
Training reads only `train`; thresholds are calibrated only on `dev`; `test` is for
bench/quality.py. Identity templates are filled with every identity term (counterfactual
augmentation: the same sentence, hateful or benign, for every group).
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "functional.csv"
SEED = 7

# group -> (adjective, plural noun)
IDENTITY: dict[str, list[tuple[str, str]]] = {
    "religion": [("Muslim", "Muslims"), ("Jewish", "Jewish people"), ("Hindu", "Hindus"),
                 ("Sikh", "Sikhs"), ("Christian", "Christians"), ("Catholic", "Catholics")],
    "ethnicity": [("Black", "Black people"), ("Asian", "Asian people"),
                  ("mixed-race", "mixed-race people"), ("Traveller", "Travellers"),
                  ("Roma", "Roma people"), ("Chinese", "Chinese people")],
    "nationality": [("Polish", "Polish people"), ("Romanian", "Romanians"),
                    ("Nigerian", "Nigerians"), ("Pakistani", "Pakistanis"),
                    ("Somali", "Somalis"), ("Ukrainian", "Ukrainians")],
    "sexuality": [("gay", "gay people"), ("lesbian", "lesbians"),
                  ("bisexual", "bisexual people"), ("LGBT", "LGBT people")],
    "gender_identity": [("trans", "trans people"), ("transgender", "transgender people"),
                        ("non-binary", "non-binary people")],
    "disability": [("autistic", "autistic people"), ("disabled", "disabled people"),
                   ("deaf", "deaf people"), ("dyslexic", "dyslexic people")],
}
FESTIVALS = {
    "Muslim": ["Eid", "Ramadan", "Eid al-Adha"], "Jewish": ["Shabbat", "Passover", "Hanukkah",
                                                           "Rosh Hashanah", "Yom Kippur"],
    "Hindu": ["Diwali", "Holi", "Navratri"], "Sikh": ["Vaisakhi", "Bandi Chhor Divas"],
    "Christian": ["Easter", "Christmas", "Lent"], "Catholic": ["First Holy Communion", "Lent"],
}
CHILD = ["my son", "my daughter", "my little boy", "our eldest", "my youngest", "my girl",
         "my lad", "our daughter", "my stepson", "my 7 year old"]
STAFF = ["the Year 4 teacher", "Mr Hughes", "the bursar", "one of the TAs", "the head",
         "the new Year 3 teacher", "the PE teacher", "Mrs Okafor", "the caretaker",
         "the deputy head", "the lady in the office", "Miss Clarke", "the SENCO",
         "the dinner lady on the hot food counter"]
PUPIL = ["that boy in Year 6 whose mum drives the red Audi", "a girl in Year 5",
         "Oliver Bennett", "the tall lad in Year 6", "the Shah girl", "one of the Year 5 boys",
         "that kid with the ginger hair in 4B"]
PLACE = ["pick-up", "the gates", "drop-off", "the car park", "sports day", "parents' evening",
         "the bus stop", "the school fair"]

# class -> (expected decision, expected category, templates)
CLASSES: dict[str, tuple[str, str, list[str]]] = {
    "identity_neutral": ("publish", "", [
        "We're a {g} family, new to the area. Any tips for settling in?",
        "As a {g} parent I'd love to help out with the PTA disco",
        "Is there a support group for {g} parents anywhere near school?",
        "Lovely to see so many {g} families at the international evening",
        "My child is {g} and the class teacher has been brilliant with her",
        "Could the library have a few more books with {g} characters in?",
        "Great assembly today about {g} role models, my son loved it",
        "Our neighbours are {g} and their kids are starting in Reception too",
        "Does anyone know if the holiday club welcomes {g} children? Asking for a friend",
        "Thank you for inviting {g} parents to speak at careers week",
        "So proud that our school celebrates {gp} and everyone else too",
        "Is anyone else in the {g} community going to the summer fair? Happy to share a table",
        "my husband is {g} and he'd be happy to do a talk for Year 5 if that helps",
        "{gp} are part of our school community like everyone else, welcome all",
        "Would the school consider a display for {g} history month?",
        "We're {g}, is there anything we should tell the teacher before the residential?",
    ]),
    "observance": ("publish", "", [
        "{fest} Mubarak and happy holidays to everyone celebrating this week!",
        "Is the {fest} assembly open to grandparents?",
        "Can children leave a bit early on the Friday for {fest}?",
        "Happy {fest} to all our families who celebrate",
        "Will school dinners have a vegetarian option during {fest}?",
        "Does anyone know if an absence for {fest} counts as authorised?",
        "My kids are so excited to share {fest} food with their class tomorrow",
        "Could the {fest} celebration be moved so working parents can come?",
        "Thanks for the lovely {fest} display in the hall, it made my mum cry",
    ]),
    "counter_speech": ("publish", "", [
        "Racism has no place at our school or anywhere else",
        "Saying {gp} are dangerous is just hateful and wrong, please don't share that rubbish here",
        "Any abuse aimed at {g} families should be reported straight away, it is not on",
        ("I'm disgusted that someone wrote nasty things about {gp} on the fence. "
         "That isn't who we are"),
        "We stand with our {g} families after what happened at the weekend",
        "Kids repeat what they hear at home, so let's all teach them that mocking {gp} is wrong",
        "Homophobia and transphobia need challenging, glad the school is doing workshops",
        "Whoever keeps saying {gp} should go back needs to have a hard look at themselves",
        "Calling people names because they are {g} is bullying, full stop",
        "Proud that Year 6 did a project on standing up to prejudice against {gp}",
        "It's 2026, nobody should be judged for being {g}",
        "I heard a parent make a nasty joke about {gp} at the gate. Not acceptable, please think",
    ]),
    "identity_hate": ("alert", "racist_or_identity_hate", [
        "{gp} should go back where they came from",
        "We don't want {g} families at this school",
        "{gp} are all the same, dirty and lazy",
        "Keep the {g} kids away from my children",
        "Typical {g} parents, can't be trusted with anything",
        "{gp} are ruining this school and this country",
        "I'm not having my son sit next to a {g} kid, disgusting",
        "Honestly {gp} are vermin",
        "{g} people shouldn't be allowed to work with children",
        "The school is being taken over by {gp}, time to move",
        "No wonder standards dropped, too many {g} families now",
        "{gp} are a disease in this community",
        "Why are we letting {gp} near our kids, they're all perverts",
        "Get the {g} lot out of the PTA, they don't belong here",
        "{gp} are thick as anything, no point teaching them",
        "You can always smell the {g} kids coming",
    ]),
    "concern": ("concern", "", [
        "Someone called {child} a horrible name at lunch today and she came home crying",
        "{child} is being hit on the bus every morning by older kids",
        "{child} came home with bruises and says a boy in Year 6 keeps kicking him",
        "Is anyone else's child being bullied in the playground? {child} won't go in anymore",
        "A group of girls have been sending {child} nasty messages and telling her to kill herself",
        "{child} was called a {g} slur in the dinner hall and nobody did anything",
        "{child} told me an older pupil touched her in the toilets, I don't know what to do",
        "{child} has been pushed over at break three times this week",
        "Some kids keep taking {child}'s lunch and punching him if he tells",
        "{child} says a TA grabbed his arm really hard and left a mark",
        "Worried sick, {child} is being picked on for being {g} and is scared to go to school",
        "{child} got shoved into the fence at {place} by another kid and cut her head",
        "{child} was threatened with a knife by a boy on the walk home",
        "{child} has been saying she wants to hurt herself since the bullying started",
        "Kids in Year 5 have been calling {child} names every single day",
        "{child} was cornered in the changing rooms and they filmed him",
    ]),
    "veiled_threat": ("alert", "threat_of_violence", [
        "you'll regret this, I know where you park",
        "someone should sort {staff} out properly",
        "wait till I see him at {place}",
        "{staff} wants to be careful walking to the car after school",
        "If {staff} keeps picking on my son I'll be waiting at {place}",
        "Keep going like this and {staff} will find out what happens",
        "I know which house {staff} lives in. Just saying",
        "Funny how accidents happen to people like {staff}",
        "One more detention and I'll come in and deal with {staff} myself",
        "{staff} better watch their back",
        "Tell {staff} I'll be seeing them at {place}, we'll have a proper chat",
        "Shame if something happened to {staff}'s car",
        "It would be a shame if {staff} didn't make it home one night",
        "Next time I see {staff} they won't be smiling",
        "If nobody does anything about {staff} then I will, and they won't like it",
        "Last warning to {staff}. I won't ask nicely again",
    ]),
    "explicit_threat": ("alert", "threat_of_violence", [
        "I'm going to punch {staff} at {place}",
        "I will smash {staff}'s windows in",
        "Touch my kid again and I'll kill you",
        "I'll batter {staff} when I see them",
        "Going to wait outside and knock {staff} out",
        "{staff} deserves a good kicking",
    ]),
    "idiom": ("publish", "", [
        "I could murder a coffee after that drop-off",
        "The Year 6 choir absolutely killed it tonight",
        "I'd kill for a lie-in this half term",
        "These spelling lists are killing me",
        "The traffic at {place} was murder today",
        "I nearly died laughing at the nativity",
        "Year 4 smashed it at sports day",
        "My son is dying to know who won the cake competition",
        "Fair play, {staff} knocked it out of the park with that assembly",
        "That maths homework was a nightmare, it nearly finished me off",
        "We got slaughtered in the parents' race, brilliant fun though",
        "The queue for the bouncy castle was a killer",
        "I'm going to strangle the washing machine, PE kit still wet",
        "Year 3 blew us away in the assembly",
    ]),
    "hedged_allegation": ("hold", "allegation_about_staff_or_pupil", [
        "apparently {staff} is helping himself to the trip money",
        "rumour has it {staff} locks kids in the cupboard",
        "I've heard {staff} turns up smelling of drink",
        "word at the gate is that {staff} was sacked from their last school",
        "Not saying it's true but people say {staff} hits the kids when nobody's looking",
        "Someone told me {staff} has been fiddling the PTA accounts",
        "Allegedly {staff} shouts at the SEN kids until they cry",
        "Is it true {staff} is having an affair with one of the dads?",
        "Supposedly {pupil} has been stealing from bags, keep an eye out",
        "A friend who works there says {staff} hasn't got a DBS check",
        "Heard on the WhatsApp that {staff} was done for drink driving",
        "I'm told {pupil} brought a knife in last week and it was hushed up",
        "Not naming names but {staff} is on some dodgy websites, apparently",
        "People are saying {staff} drags children by the arm",
    ]),
    "negative_identifiable": ("hold", "negative_comment_about_person", [
        "{staff} is a bully",
        "{staff} is useless and lazy",
        "{pupil} is a nasty little thug",
        "Honestly {staff} is the worst teacher my kids have ever had",
        "{pupil} is feral, the parents clearly don't care",
        "{staff} is rude and clueless, no idea how they got the job",
        "Does anyone else think {staff} is completely incompetent?",
        "{pupil} is a horrible child and everyone knows it",
        "{staff} shouldn't be allowed near kids, awful woman",
        "{staff} can't teach, simple as",
    ]),
    "ordinary": ("publish", "", [
        "What time is {place} on Friday?",
        "Thank you {staff} for a lovely trip",
        "Does anyone know if {staff} is back after half term?",
        "{child} loved the science week, thank you!",
        "Has anyone found a blue coat at {place}?",
        "Can someone remind me when the PTA meeting is?",
        "{child} got hurt at football but the staff were brilliant and rang me straight away",
        "Is the bursar the right person to ask about paying for the residential?",
        "{child} is nervous about moving to Year 3, any tips?",
        "Well done to {staff} for organising sports day in the heat",
        "The WhatsApp group says the trip is cancelled, is that right?",
        "{child} was off with a bug, can we catch up on homework?",
        "Just a reminder the cake sale is after school Thursday",
        "{staff} has been amazing with {child} this term",
        "Where do we hand in the forms for free school meals?",
        "Is anyone walking from the Oak Road end at {place}? Happy to share",
    ]),
}


def _fill(template: str, rng: random.Random) -> list[dict[str, str]]:
    """All identity fillings for identity templates; a few random fillings otherwise."""
    rows: list[dict[str, str]] = []
    base = {"child": rng.choice(CHILD), "staff": rng.choice(STAFF), "pupil": rng.choice(PUPIL),
            "place": rng.choice(PLACE)}
    if "{fest}" in template:
        for adj, fests in FESTIVALS.items():
            for fest in fests:
                text = template.format(fest=fest, **base)
                if "Mubarak" in text and adj != "Muslim":
                    text = text.replace(f"{fest} Mubarak and h", f"Happy {fest} and h")
                rows.append({"group": "religion", "term": fest, "text": text})
        return rows
    if "{g}" in template or "{gp}" in template:
        for group, terms in IDENTITY.items():
            for adj, plural in terms:
                fill = base | {"child": rng.choice(CHILD), "staff": rng.choice(STAFF)}
                text = template.format(g=adj, gp=plural, **fill)
                rows.append({"group": group, "term": adj, "text": text[0].upper() + text[1:]})
        return rows
    for _ in range(4):
        fill = {"child": rng.choice(CHILD), "staff": rng.choice(STAFF),
                "pupil": rng.choice(PUPIL), "place": rng.choice(PLACE)}
        text = template.format(**fill)
        rows.append({"group": "", "term": "", "text": text[0].upper() + text[1:]})
    return rows


def split_of(index: int) -> str:
    if index % 3 == 2:
        return "test"
    return "dev" if index % 6 == 0 else "train"


def build() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for cls, (decision, category, templates) in CLASSES.items():
        for i, template in enumerate(templates):
            for row in _fill(template, rng):
                if row["text"] in seen:
                    continue
                seen.add(row["text"])
                out.append({"class": cls, "template": f"{cls}-{i:02d}", "split": split_of(i),
                            "decision": decision, "category": category, **row})
    return out


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["class", "template", "split", "decision", "category",
                                     "group", "term", "text"])
        writer.writeheader()
        writer.writerows(rows)
    counts = {k: len(list(g)) for k, g in itertools.groupby(sorted(
        (r["class"], r["split"]) for r in rows))}
    print(f"wrote {len(rows)} cases to {OUT}")
    for key, n in counts.items():
        print(f"  {key[0]:24s} {key[1]:5s} {n}")


if __name__ == "__main__":
    main()
