"""All dialog states. Their names are stored in conversation state: renaming one strands the
people who are on it at that moment (they get the main menu again, see dialogs/errors.py)."""

from aiogram.fsm.state import State, StatesGroup


class OnboardingSG(StatesGroup):
    language = State()
    country = State()


class MainSG(StatesGroup):
    menu = State()


class SettingsSG(StatesGroup):
    menu = State()


class PrivacySG(StatesGroup):
    kept = State()
    forget = State()


class ContactsSG(StatesGroup):
    overview = State()
    entries = State()


class EmergencySG(StatesGroup):
    numbers = State()


class SelfHelpSG(StatesGroup):
    menu = State()
    checkin = State()
    feeling = State()
    exercises = State()
    exercise = State()
    after_exercise = State()
    topics = State()
    topic = State()


class SafetyPlanSG(StatesGroup):
    intro = State()
    step = State()
    review = State()
    view = State()
    change = State()
    confirm_delete = State()


class LegalAidSG(StatesGroup):
    consent = State()
    category = State()
    region = State()
    story = State()
    urgency = State()
    urgent = State()
    contact = State()
    phone = State()
    summary = State()
    edit = State()
    sent = State()
    case = State()
    write = State()
    withdraw = State()
    limit = State()
    unavailable = State()
    blocked = State()


class TortureSG(StatesGroup):
    start = State()
    doctor = State()
    detained = State()
    menu = State()
    step = State()
    complain = State()
    draft = State()
    question = State()
    language = State()
    summary = State()
    edit = State()
    sent = State()
