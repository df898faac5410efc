"""The words of the torture guidance that are longer than a button: the first-days steps and
the complaint questions. Facts come from ../shared/reference/torture-facts.md (section 1:
international standards that hold in all four countries); nothing country-specific is said
here: what differs by country lives in resources/ (contacts, complaint templates)."""

from __future__ import annotations

from bot.complaints import FIELDS
from bot.i18n import N_

STEPS: tuple[str, ...] = (
    N_(
        "<b>See a doctor as soon as you can</b>\n\n"
        "Go to a clinic or call an ambulance, even if the injuries seem small. Tell the "
        "doctor how you got them, and ask them to write down every injury and every pain. "
        "Ask for a copy of the record or a certificate.\n\n"
        "Some injuries are hard to see: a bruise on the head or on dark skin may show only as "
        "pain when touched. Say where it hurts.\n\n"
        "No marks does not mean nothing happened: torture often leaves no marks. What you "
        "say still matters."
    ),
    N_(
        "<b>Ask for a forensic medical examination early</b>\n\n"
        "A forensic medical examination records injuries in a way an investigation can use. "
        "Most injuries heal within about six weeks, so ask for it as early as possible, for "
        "example in your complaint to the prosecutor.\n\n"
        "You are examined only with your consent, in private, with no police in the room. "
        "Where possible you can ask for a doctor of the same sex, and you can stop the "
        "examination at any time.\n\n"
        "You may ask for a second examination by a doctor you choose."
    ),
    N_(
        "<b>Photograph the injuries</b>\n\n"
        "Take photos as soon as you can, with any phone, and again every few days as the "
        "injuries change.\n"
        "• The first photo shows your face together with the injury.\n"
        "• Put a coin or a ruler next to the injury to show its size.\n"
        "• Keep the original files: they hold the date and time.\n"
        "• Use daylight rather than the flash.\n\n"
        "Keep the clothes you wore then, without washing them: they can be evidence. Keep "
        "the photos where nobody else can find them."
    ),
    N_(
        "<b>Write down what happened while you remember</b>\n\n"
        "Write it for yourself, as soon as you can, in any order:\n"
        "• the date, time and place, and where you were taken\n"
        "• what was done and what was said\n"
        "• the officers: names, ranks, what they looked like, badge or car numbers\n"
        "• who saw or heard it: witnesses, other detainees\n"
        "• how you felt afterwards, in body and mind\n"
        "• who you have told already\n\n"
        "If some things are missing or the order is mixed up, that is normal after a shock. "
        "It does not mean you are not telling the truth."
    ),
    N_(
        "<b>Keep a copy of every paper</b>\n\n"
        "Keep copies of everything you were given or signed: the record of detention, "
        "medical certificates, decisions, receipts. Ask for a copy if you were not given "
        "one.\n\n"
        "When you file a complaint, keep a copy with the mark that it was registered.\n\n"
        "If someone at home could find them, keep the papers and photos in a safe place, for "
        "example with a person you trust."
    ),
    N_(
        "<b>A lawyer from the first moment</b>\n\n"
        "From the very first moment of detention, a person has the right to a lawyer, to a "
        "doctor, and to let a relative know.\n\n"
        "Every country has free legal aid paid for by the state, and organisations against "
        "torture give legal help. A lawyer can write the complaint with you, ask for the "
        "examination and go with you to the prosecutor.\n\n"
        "You can ask for one here: “Ask a lawyer”."
    ),
    N_(
        "<b>If you are threatened</b>\n\n"
        "Threats and pressure after a complaint are wrong too. The UN Convention against "
        "Torture says that people who complain, and witnesses, must be protected.\n"
        "• Write down every threat: who, when, what was said. Keep messages and the list of "
        "calls.\n"
        "• Tell your lawyer and the prosecutor, and ask for protection in writing.\n"
        "• If you are in danger now, call the emergency numbers (🆘 below).\n\n"
        "You decide whether and when to complain. Taking care of your safety first is not "
        "giving up."
    ),
)
"""The first days, one screen each, in the order a person needs them."""

QUESTIONS: dict[str, str] = {
    "what_happened": N_(
        "What happened? Describe in order what was done to you and what was said."
    ),
    "when": N_(
        "When did it happen? The date and, if you remember, the time. If it lasted several "
        "days, from when to when."
    ),
    "where": N_(
        "Where did it happen? For example a police station (which one), an office, a car, a "
        "street."
    ),
    "who": N_(
        "Who did it? Names, ranks or positions if you know them; if not, what they looked "
        "like, badge or car numbers, names they called each other."
    ),
    "injuries": N_("What injuries or pain did you have, and what is still there now?"),
    "medical": N_(
        "Did you see a doctor? When and where, and what did they write down? Was there a "
        "forensic medical examination?"
    ),
    "witnesses": N_(
        "Who saw or heard it? Other detainees, relatives, passers-by, doctors. Write only "
        "what you want to be in the document."
    ),
    "documents": N_(
        "What papers or proof do you have? Medical certificates, photos, a copy of the "
        "detention record…"
    ),
}
"""The question for each field of the complaint template, in FIELDS order."""

SHORT: dict[str, str] = {
    "what_happened": N_("What happened"),
    "when": N_("When"),
    "where": N_("Where"),
    "who": N_("Who did it"),
    "injuries": N_("Injuries"),
    "medical": N_("Medical help"),
    "witnesses": N_("Witnesses"),
    "documents": N_("Papers and proof"),
}
"""The same, as a button and a line of the summary."""

assert tuple(QUESTIONS) == FIELDS and tuple(SHORT) == FIELDS
