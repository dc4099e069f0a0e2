"""Stance, target and form cues: who a comment is about and what it does to them.

The text classifiers learnt "Muslim", "gay" or "slur" as signs of hate because hateful
comments mention them. These cues let the judgement stage (judgement.py) ask the questions
a moderator asks instead: is a group *attacked* or only *named*? Is the author condemning
hate or reporting harm to their own child? Is there menace without a violent word? Is a
claim about an identifiable person passed on as rumour?

Every cue is a small regular expression over lower-cased text with no nested repetition, so
the cost stays linear in the input. Cues are features, not verdicts: the learnt heads in
judgement.py weigh them together with the sentence embedding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"',
                              "\u201d": '"'})


def plain(text: str) -> str:
    """Lower-cased text with straight apostrophes and single spaces (not de-obfuscated)."""
    return " ".join(text.translate(_APOSTROPHES).casefold().split())


def _alt(words: str) -> str:
    return "(?:" + "|".join(w.strip() for w in words.split("|") if w.strip()) + ")"


IDENTITY_GROUPS: dict[str, str] = {
    "religion": _alt(
        r"muslims?|islam|islamic|jews?|jewish|judaism|hindus?|hinduism|sikhs?|sikhism|"
        r"christians?|christianity|catholics?|buddhists?|atheists?|mosques?|synagogues?|"
        r"gurdwaras?|temples?|churches|church|eid|ramadan|ramadhan|diwali|shabbat|sabbath|"
        r"passover|hanukkah|chanukah|vaisakhi|baisakhi|navratri|holi|rosh hashanah|"
        r"yom kippur|lent|easter|christmas|communion|halal|kosher|hijabs?|headscarf|"
        r"headscarves|turbans?|kippah|yarmulke|niqab|burqa|imam|rabbi|vicar|priest|faith|"
        r"religion|religious|prayers?|fasting"),
    "ethnicity": _alt(
        r"blacks?|whites?|asians?|mixed[- ]race|brown|gypsy|gypsies|roma|travellers?|arabs?|"
        r"africans?|caribbean|chinese|bame|ethnic|ethnicity|race|racial|heritage|"
        r"skin colour|colour of (?:his|her|their) skin"),
    "nationality": _alt(
        r"polish|poles|romanians?|nigerians?|pakistanis?|indians?|irish|somalis?|eritreans?|"
        r"syrians?|ukrainians?|bulgarians?|lithuanians?|bangladeshis?|turkish|afghans?|"
        r"immigrants?|migrants?|refugees?|asylum seekers?|foreigners?|foreign|"
        r"eastern europeans?|english as an additional language|eal|nationality"),
    "sexuality": _alt(
        r"gay|lesbians?|bisexual|bi|queer|lgbt\w*|lgbtq\+?|homosexuals?|same[- ]sex|"
        r"two mums|two dads|pride|came out|coming out|sexuality"),
    "gender_identity": _alt(
        r"trans|transgender|non[- ]binary|nonbinary|gender identity|transitioning|"
        r"transitioned|pronouns|they/them|gender neutral"),
    "disability": _alt(
        r"autistic|autism|asd|disabled|disability|disabilities|deaf|blind|wheelchairs?|"
        r"down'?s syndrome|dyslexic|dyslexia|dyspraxia|adhd|sen|special needs|"
        r"cerebral palsy|learning difficult(?:y|ies)|ehcp|neurodivergent|"
        r"additional needs|sign language|bsl"),
}
_IDENTITY_RES = {g: re.compile(rf"\b{p}\b") for g, p in IDENTITY_GROUPS.items()}

# Terms nobody uses about a group except to abuse it (checked on de-obfuscated text).
SLURS = re.compile(r"\b" + _alt(
    r"paki|pakis|nigger|niggers|nigga|niggas|coon|coons|wog|wogs|chink|chinks|kike|kikes|"
    r"gyppo|gyppos|pikey|pikeys|faggot|faggots|fag|fags|dyke|dykes|tranny|trannies|"
    r"retard|retards|retarded|spastic|spaz|mong|mongs|raghead|ragheads|towelhead|"
    r"sand nigger|yid|yids|spic|gook|shemale|poofs?|poofter|batty boy|bender|benders|"
    r"monkeys|apes|vermin|cockroaches|subhuman|savages") + r"\b")

# Saying something hateful *about* a group: generalising, dehumanising, excluding.
_GROUP_NOUN = (r"(?:people|families|famil(?:y|ies)|kids|children|parents|lot|ones|types|"
               r"men|women|mums|dads|boys|girls|pupils|community|communities|folk)")
ATTACK = re.compile("|".join([
    r"\bgo back (?:to|where|home)", r"\b(?:can|should|could) (?:all )?go home\b",
    r"\b(?:isn'?t|aren'?t|not) (?:even )?from (?:here|round here|this country)\b",
    r"\bthis is a (?:christian|white|british|english) country\b",
    r"\bhave to (?:hire|employ|let in|accept|take) (?:the )?\w+s now\b",
    r"\bsend (?:them|em|'em) (?:all )?(?:back|home)",
    r"\b(?:should(?:n't| not)|must(?:n't| not)|not) be allowed\b", r"\bdon'?t belong\b",
    r"\bnot welcome\b", r"\bkeep (?:them|the \w+ (?:kids|lot|ones)|those \w+) (?:away|out)\b",
    r"\bget (?:rid of|them out|the \w+ (?:lot|ones|kids) out)\b", r"\bdeport",
    r"\bkick (?:them|em) out\b", r"\b(?:ban|banned|banning) (?:them|all)\b",
    r"\bno place for (?!racism|hate|bullying|prejudice)", r"\btaken over\b", r"\btake over\b",
    r"\btypical\b", r"\bthey(?:'re| are) all\b", r"\bare all (?:the same|\w+)\b",
    r"\ball (?:the )?(?:same|like that)\b", r"\b(?:those|these|that) (?:people|lot|sort)\b",
    r"\bpeople like (?:that|them)\b", r"\btheir (?:lot|kind|sort)\b",
    r"\b(?:too many|so many|full of) \w+(?: \w+)? " + _GROUP_NOUN,
    r"\b(?:terrorists?|criminals?|scum|vermin|animals|parasites?|filth|filthy|dirty|smelly|"
    r"stink|stinks|smell|thieves|rapists?|groomers?|paedos?|perverts?|freaks?|unnatural|"
    r"abomination|disease|diseased|infest\w*|invad\w*|invasion|breed(?:ing)?|subhuman|"
    r"savages?|backward|primitive|thick|inbred|sick in the head|mental|degenerates?|"
    r"disgusting|vile|evil|a plague|a threat|dangerous|ruining|ruined|lazy|scroungers?|"
    r"spongers?|benefit cheats?|can'?t be trusted|not to be trusted|mentally ill|a phase|"
    r"confused|brainwash\w*|indoctrinat\w*|agenda|shoved down)\b",
    r"\bnot (?:having|letting) (?:my|our) \w+ (?:sit|play|be|go|mix)",
    r"\bwhy (?:are|do) we (?:let|letting|have|allow)", r"\bcan'?t even speak english\b",
    r"\b(?:i'?m |i am )?not (?:being )?(?:racist|homophobic|transphobic|prejudiced),? but\b",
]))

# Condemning hate, supporting a group, or reporting what someone else said.
_HATE_NOUN = (r"(?:racism|racist|racists|homophobia|homophobic|transphobia|transphobic|"
              r"islamophobia|islamophobic|antisemitism|anti-semitism|antisemitic|ableism|"
              r"ableist|bigotry|bigots?|bigoted|discrimination|prejudice|hate|hatred|"
              r"hateful|xenophobia|xenophobic|abuse|slurs?|name[- ]calling|intolerance)")
COUNTER = re.compile("|".join([
    _HATE_NOUN + r"\b.{0,40}\b(?:no place|not acceptable|unacceptable|not on|wrong|"
    r"not ok|not okay|must stop|needs? (?:to stop|challenging|calling out|to be challenged)|"
    r"should be (?:challenged|reported|called out)|isn'?t who we are|has to stop|never ok)",
    r"\b(?:stand|standing|stood) (?:with|up (?:to|for)|against|together)\b",
    r"\b(?:challenge|challenging|report|reporting|tackle|tackling|condemn|call out|"
    r"calling out|stand up to|standing up to|fight|fighting|against|zero tolerance (?:for|on)|"
    r"won'?t tolerate|don'?t tolerate|not tolerate|teach(?:ing)? (?:them|kids|children) about)"
    r" (?:\w+ ){0,3}" + _HATE_NOUN,
    r"\b(?:disgusted|appalled|shocked|horrified|sad|saddened|ashamed|sickened|upset|angry)"
    r" (?:\w+ ){0,6}(?:that|by|at|to (?:see|hear|read)|how)\b",
    r"\bisn'?t who we are\b", r"\bnot who we are\b", r"\bshould be ashamed\b",
    r"\b(?:disgusting|shameful|sickening|appalling|horrible) (?:that|to see|to hear)\b",
    r"\bhope the police\b",
    r"\breported (?:it |this |them |him |her )?to the police\b",
    r"\bwhoever (?:wrote|said|did|sprayed|posted)\b", r"\bnobody should be\b",
    r"\bno one should be\b", r"\bshould(?:n'?t| not) (?:be|have to) (?:judged|treated|bullied)",
    r"\b(?:is|are|was) (?:just )?(?:hateful|bullying|racist|homophobic|transphobic|wrong)\b",
    r"\bhave a (?:hard|long) look at (?:themselves|yourself)\b", r"\bnot acceptable\b",
    r"\bwelcome (?:all|everyone)\b", r"\beveryone (?:is|should be) welcome\b",
    r"\bpart of (?:our|the) (?:school )?community\b", r"\bproud\b", r"\bcelebrat\w+\b",
    r"\bsaid (?:some |such )?(?:awful|horrible|nasty|vile|hateful|racist|disgusting|ugly) "
    r"(?:things|stuff|words)\b", r"\btold (?:her|him|them) (?:exactly )?what i thought\b",
    r"\b(?:stop|please don'?t|don'?t) (?:sharing|spreading|posting|repeating)\b",
    r"\bthe [a-z]-word\b",
    # Naming hate as a topic ("a lesson on islamophobia", "mocking accents is discrimination")
    # is how people condemn it; haters call it something else.
    r"\b(?:racism|homophobia|transphobia|islamophobia|antisemitism|anti-semitism|ableism|"
    r"xenophobia|bigotry|discrimination)\b",
    r"\b(?:a |an |that )?(?:lazy|harmful|nasty|tired|old|offensive|racist) stereotypes?\b",
    r"\b(?:it'?s|is|that'?s|was) (?:really |so |just )?hurtful\b",
    r"\bstop (?:with |making |posting |telling )?(?:the |these |those )?"
    r"(?:jokes|comments|remarks)\b", r"\bdeserve (?:better|respect)\b",
    r"\b(?:racist|homophobic|transphobic|horrible|nasty) "
    r"(?:names?|slurs?|comments?|remarks?|jokes?|abuse|graffiti|words?)\b",
]))

# A parent's own child (or a child they speak for).
CHILD = re.compile(
    r"\b(?:my|our|his|her|their) (?:\w+ )?(?:son|sons|daughter|daughters|child|children|kid|"
    r"kids|boy|boys|girl|girls|lad|little one|little ones|eldest|youngest|oldest|middle one|"
    r"twins|stepson|stepdaughter|grandson|granddaughter|nephew|niece|\d+ ?(?:yr|year)s? old|"
    r"[a-z]+ year old|year \d|reception)\b|\b(?:he|she)(?:'s| is| was| has been) (?:in )?"
    r"(?:year \d|reception)\b")
# Something done to a child by someone else: bullying, violence, abuse, exclusion.
HARM = re.compile("|".join([
    r"\b(?:bullied|bullying|bully him|bully her|picked on|picking on|ganged up on|"
    r"ganging up|left out (?:by|of (?:games|everything|the group))|keeps? being left out|"
    r"excluded from|laughed at|made fun of|mocked|teased|tormented|"
    r"targeted|harassed|threatened|intimidated|followed home|cornered|isolated)\b",
    r"\b(?:hit|hits|hitting|punched|punching|kicked|kicking|pushed|pushing|shoved|shoving|"
    r"slapped|slapping|bitten|biting|scratched|strangled|choked|tripped|grabbed|grabbing|"
    r"dragged|pulled|pulling|yanked|jumped on|got jumped|beaten|beat up|battered|attacked|"
    r"assaulted|hurt|hurting|injured|spat at|spitting at|"
    r"thrown at|stabbed|burned|burnt|pinched|restrained|locked in|shut in)\b",
    r"\b(?:touched|touching|groped|abused|abusing|abuse|sexual|inappropriate(?:ly)?|"
    r"undress\w*|private parts|nudes?|explicit (?:photos|pictures|images)|groom(?:ed|ing))\b",
    r"\b(?:was|were|been|being|got|gets|get|keeps? (?:getting|being)) called "
    r"(?:a|an|names|horrible|nasty|racist|the|fat|ugly|stupid|thick|gay|weird)\b",
    r"\bcall(?:ed|ing|s) (?:my|our|him|her|them) (?:\w+ )?(?:a|an|names|horrible|nasty|"
    r"racist|the)\b", r"\bcalling (?:\w+ ){0,4}names\b", r"\bslurs?\b", r"\bnames? at (?:him|her)",
    r"\b(?:nasty|horrible|threatening|abusive|vile) (?:messages|texts|comments|notes|names)\b",
    r"\b(?:filmed|photographed|recorded) (?:him|her|them)\b", r"\bfilmed\b",
    r"\b(?:kill|hurt|harm) (?:herself|himself|themselves)\b", r"\bself[- ]harm\w*\b",
    r"\bsuicid\w*\b", r"\b(?:scared|frightened|terrified|afraid) (?:to go|of going|to come)\b",
    r"\b(?:scared|frightened|terrified|afraid) of (?:a|the|her|his|this|that|some|one of the)"
    r" (?:\w+ )?(?:teacher|boy|girl|kid|lad|ta|man|woman|dinner lady|pupil|older|group|"
    r"gang|children|kids|boys|girls|head|coach|driver)s?\b",
    r"\b(?:screams?|screamed|screaming|shouts?|shouted|shouting|swears?|swore) at "
    r"(?:her|him|them)\b",
    r"\bgetting messages\b", r"\bpretending to be\b",
    r"\bwon'?t go (?:in|to school)\b",
    r"\b(?:came|comes|coming|come) home (?:crying|covered|in tears)\b",
    r"\b(?:came|comes|coming|come) home with (?:a |an )?(?:bruis\w*|black eye|cuts?|bump|"
    r"scratch\w*|marks?|split lip|bites?|bite marks|bloody|injur\w*|ripped)",
    r"\bbruis\w+\b", r"\bcrying every\b", r"\bstopped eating\b",
    r"\bkeeps? (?:telling|saying to|calling|texting|messaging) (?:him|her|them|my \w+)\b",
    r"\bsteal\w* (?:his|her|their) \w+",
    r"\btak(?:e|es|ing|en) (?:his|her|their) (?:lunch|money|phone|things|stuff|bag)",
]))
# Harm words that are about illness or sport, not about someone hurting a child.
ILLNESS = re.compile(r"\b(?:cough|cold|temperature|poorly|ill|sick|bug|virus|nits|tooth|"
                     r"teeth|flu|chickenpox|covid|tummy|headache|rash|off school|off today)\b")
NOT_HARM = re.compile(r"\bhit (?:with|by) (?:a |the )?(?:bug|cold|virus|flu|sickness|"
                      r"tummy|chickenpox|covid|ball|wave)|\bgot hurt (?:at|in|playing)|"
                      r"\bbitten by (?:the |a )?(?:\w+ )?bug\b|\bpicked on to\b|"
                      r"\bpushed (?:himself|herself|themselves)\b|\bfilmed for\b|"
                      r"\btouched by (?:the|their|your|how|all|everyone|a|such)\b|"
                      r"\bhurt (?:his|her|their) (?:knee|ankle|wrist|arm|leg|finger|back)")

# Menace without a violent word, conditional threats and the like.
VEILED = re.compile("|".join([
    r"\byou(?:'ll| will| are going to|'re going to|'re gonna) (?:regret|be sorry|pay|"
    r"find out|learn)\b", r"\byou(?:'ll| will) see\s*(?:[.!]|$)",
    r"\b(?:he|she|they)(?:'ll| will) (?:regret|be sorry|pay for)\b",
    r"\bi know where (?:you|he|she|they) (?:live|lives|park|parks|work|works|drop|go)",
    r"\bi know (?:which|what) (?:house|car|road|street)\b",
    r"\b(?:sort|sorts|sorted) (?:\w+ ){0,4}out (?:properly|good|once and for all|myself|for good)",
    r"\bsomeone (?:should|needs to|ought to|wants to) (?:sort|deal with|teach|have a word|"
    r"shut|put|take care of|do something about)\b",
    r"\b(?:wait|waiting) (?:till|until|til|'til) i (?:see|get|catch|find)\b",
    r"\bi'?ll be waiting\b", r"\bbe waiting (?:for|at|outside)\b",
    r"\b(?:watch|watching) (?:your|his|her|their) back\b", r"\bwatch yourself\b",
    r"\b(?:want|wants|need|needs) to be careful\b", r"\bbetter be careful\b",
    r"\b(?:accidents happen|accidents can happen)\b",
    r"\b(?:shame|pity) if (?:something|anything)\b",
    r"\b(?:something|anything) (?:bad )?(?:might|could|would|will) happen to\b",
    r"\bwhat happens (?:to people|when)\b", r"\bfind out what happens\b",
    r"\bdeal with (?:\w+ ){0,3}(?:myself|personally)\b", r"\btake (?:matters|things) into\b",
    r"\bwon'?t (?:be smiling|know what hit|make it home)\b",
    r"\bwon'?t be so (?:brave|smug|cocky|mouthy|clever)\b", r"\blet'?s just say\b",
    r"\bdidn'?t make it home\b", r"\blast warning\b", r"\bfinal warning\b",
    r"\bwon'?t ask (?:nicely|again)\b", r"\bi'?ll (?:come|be) (?:in|down|round) (?:and|to) "
    r"(?:deal|sort|see)", r"\bnot going to like (?:it|what)\b", r"\bwon'?t like it\b",
    r"\b(?:see|seeing|catch) (?:him|her|them|you) (?:at|outside|after|in the)\b.{0,40}"
    r"\b(?:chat|word|talk)\b", r"\bhave a (?:proper )?word\b.{0,30}\b(?:outside|car park|gate)",
    r"\bteach (?:him|her|them|that \w+) a lesson\b", r"\bgets? what'?s coming\b",
    r"\bcoming (?:for|after) (?:you|him|her|them)\b", r"\bif (?:nobody|no one) (?:does|will)"
    r" (?:anything|something)\b.{0,40}\bi (?:will|'ll)\b",
    r"\bjust saying\b.{0,10}$", r"\bnot a threat\b", r"\bgone missing for less\b",
    r"\bfor less than (?:that|this|what)\b", r"\bmark my words\b",
    r"\b(?:better|best) not be (?:on (?:her|his|their) own|alone|around|there|seen)\b",
    r"\b(?:deserves?|needs?|wants?|asking for) (?:a )?(?:good |proper |right )?(?:kicking|"
    r"hiding|slap|slapping|smack|punch|beating|battering|thump|thumping|doing over)\b",
    r"\bsomeone (?:should|needs to|ought to) (?:punch|hit|slap|smack|batter|thump|deck|kick)\b",
    r"\bi'?ll make sure of it\b", r"\bwe'?ll see who'?s (?:laughing|smiling|sorry)\b",
    r"\bfunny how\b.{0,40}\bkeeps? (?:getting|going|breaking|happening)\b",
    r"\benjoys? (?:her|his|their) last\b",
    r"\b(?:hope|pray) (?:i|we) (?:never|don'?t) (?:catch|see|find|meet)\b",
    r"\bwhat time (?:he|she|they|the \w+) (?:leaves|gets home|finishes)\b",
    r"\b(?:find|take) (?:another|a different) (?:route|way) home\b", r"\bthat'?s a promise\b",
    r"\bhow (?:would|will) (?:they|he|she) like it\b", r"\bsee how (?:they|he|she) like",
]))
IDIOM = re.compile("|".join([
    r"\b(?:could|would|i'?d) (?:murder|kill for|die for|demolish|destroy) (?:a|an|some) "
    r"(?!(?:teacher|head|kid|child|boy|girl|parent|mum|dad|ta|man|woman)\b)\w+",
    r"\b(?:murder|kill|die) (?:for )?(?:a|an|some) (?:coffee|tea|cuppa|brew|drink|pint|"
    r"glass|wine|gin|nap|biscuit|lie-in|sleep|holiday|break|chocolate|takeaway)\b",
    r"\b(?:killed|smashed|nailed|aced|slayed|rocked) it\b", r"\bkill(?:ed|ing)? for\b",
    r"\b(?:killing|kills|killed) (?:me|us)\b", r"\bdying (?:to|for|of)\b", r"\bdied laughing\b",
    r"\b(?:nearly|almost) died\b", r"\bkilling (?:myself|himself|herself) laughing\b",
    r"\bwas murder\b", r"\bis murder\b", r"\b(?:a )?killer\b", r"\bknock(?:ed|s)? it out of\b",
    r"\bblew (?:us|me|them|everyone) away\b", r"\bslaughtered in\b", r"\bgot slaughtered\b",
    r"\bfinish(?:ed)? me off\b", r"\bstrangle the (?:washing|printer|car|dog|cat|laptop)",
    r"\bbreak a leg\b", r"\bdead (?:tired|proud|excited|good|easy|chuffed|busy)\b",
    r"\b(?:murdered|slaughtered|destroyed|thrashed|annihilated|battered) (?:at|in) "
    r"(?:chess|football|rounders|netball|the quiz|the race|monopoly|cards|\w+ ?ball)\b",
    r"\b(?:kill|murder|strangle|throttle) (?:my|our) (?:husband|wife|partner|other half|"
    r"hubby|kids|son|daughter|dog|cat|mum|dad|brother|sister)\b",
    r"\bi'?ll (?:scream|cry|go mad|lose it|lose my mind)\b",
    r"\b(?:my|our) (?:husband|wife|partner|hubby|other half|mum|dad|boss|kids|mother|father)"
    r" (?:will|would|is going to|'ll|'s going to|is gonna) (?:kill|murder|strangle) (?:me|us)\b",
    r"\b(?:strangle|throttle|murder|kill|smash|batter|lamp) (?:this|that|the) "
    r"(?!(?:teacher|head|kid|child|boy|girl|lad|man|woman|mum|dad|ta|parent|bloke|cow|"
    r"witch|bitch|bastard|idiot|lady|caretaker|coach|year|new|little|stupid|old)s?\b)"
    r"[a-z]+\b(?! (?:\w+ )?(?:teacher|head|kid|boy|girl|lad|man|woman|mum|dad|ta|lady)s?\b)",
    r"\bbomb(?:ed|ing|s)? it\b",
    # Someone "killing" the speaker is hyperbole about getting into trouble.
    r"\b(?:kill|murder|strangle|throttle) me\b", r"\b(?:death|dead) of me\b",
    r"\bknock(?:ed|s|ing)? (?:'em|em|them|me|us|everyone) dead\b", r"\bdead meat\b",
    r"\bfight to the death (?:for|over)\b", r"\bshoot(?:ing)? off\b",
    r"\bdrop dead gorgeous\b", r"\bfell (?:over|off|down)\b", r"\bgrazed\b",
    r"\bbeat (?:them|us|the) (?:\w+ )?(?:at|in)\b",
]))

# "apparently", "rumour has it": claims passed on, not witnessed.
HEDGE = re.compile("|".join([
    r"\bapparently\b", r"\brumou?rs?\b", r"\bi'?(?:ve| have) heard\b", r"\bi heard\b",
    r"\bheard (?:on|at|from|that|it)\b", r"\bword (?:at|on|is|has it)\b", r"\ballegedly\b",
    r"\bsupposedly\b", r"\breportedly\b", r"\bpeople (?:are|keep) saying\b",
    r"\bpeople say\b", r"\beveryone (?:says|knows|is saying)\b", r"\bsomeone told me\b",
    r"\bi'?m told\b", r"\bi was told\b", r"\b(?:a )?friend (?:who|that) works\b",
    r"\bis it true\b", r"\bnot saying it'?s true\b", r"\bgossip\b", r"\bon the grapevine\b",
    r"\bwhispers?\b", r"\bthe story (?:is|goes)\b", r"\bfrom what i hear\b",
    r"\bnot naming names\b", r"\bdon'?t quote me\b", r"\bbetween (?:you and me|us)\b",
    r"\bthey say\b", r"\bthere'?s talk\b", r"\btalk is\b",
    r"\breckons?\b", r"\bi wouldn'?t be surprised if\b", r"\bmy sources\b",
    r"\bon (?:the )?whatsapp\b.{0,30}\b(?:says?|said|saying)\b", r"\bsaying that\b",
]))
# Wrongdoing that, if claimed about a person, is an allegation.
WRONGDOING = re.compile(r"\b" + _alt(
    r"steal\w*|stole|stolen|theft|thief|fiddl\w+|hungover|hung over|"
    r"embezzl\w+|helping (?:him|her|them)sel(?:f|ves)|"
    r"pocket\w*|fraud|dodgy|drunk|drink|drinking|drugs?|high|stoned|sacked|fired|suspended|"
    r"struck off|arrested|police|criminal|record|dbs|affair|sleeping with|locks?|locked|"
    r"hits?|hitting|smack\w*|slap\w*|drags?|dragged|grab\w*|shouts?(?! out)|shouting|screams?|"
    r"abus\w+|bull(?:y|ies|ying)|inappropriate|touch\w*|perv\w*|paedo\w*|groom\w*|"
    r"knife|weapon|cover(?:ed|ing)? up|hushed up|lied|lies|lying|cheat\w*|racist|"
    r"websites?|porn\w*|done for|banned|fake|faked|bribe\w*|backhanders?|favourites|"
    r"restrain\w*|neglect\w*|ignor\w+ safeguarding|no qualifications|unqualified") + r"\b")

# An identifiable person: by name (roster), by title, by role or by description.
PERSON = re.compile("|".join([
    r"\b(?:mr|mrs|miss|ms|mx|dr|sir)\.? [a-z]",
    r"\b(?:the|that|this|a|an|one of the|our|their|his|her) (?:new |old |supply |other |"
    r"deputy |assistant |male |female |young |tall |short |\w+ )?(?:year \w+ |reception |"
    r"nursery |pe |music |art |maths |sen |class |)?(?:teachers?|head(?:teacher|master|"
    r"mistress)?|deputy|senco|dsl|tas?|teaching assistants?|bursar|caretaker|"
    r"receptionist|office (?:lady|manager|staff)|lady in the office|dinner (?:lady|ladies)|"
    r"assistant|treasurer|secretary|librarian|technician|volunteer|helper|staff member|"
    r"(?:breakfast|after[- ]school|lunchtime|kitchen|club) staff|"
    r"lunchtime supervisor|cook|governors?|chair of governors|pta chair|coach|instructor|"
    r"business manager|site manager|cleaner|lollipop (?:lady|man)|school nurse|"
    r"boy|girl|lad|kid|child|pupil|mum|dad|mother|father|parent|family|woman|man|bloke)\b",
    r"\b(?:one|some|two|three|a couple|a group|a few) of the (?:\w+ ){0,2}(?:boys|girls|lads|"
    r"kids|children|pupils|mums|dads|parents|tas|teachers|staff)\b",
    r"\b(?:boys|girls|lads|kids|children|pupils) in (?:year \w+|reception|\d\w?|class \w+)\b",
    r"\b(?:boy|girl|kid|lad|child) in (?:year \w+|reception|\d\w?)\b", r"\bwhose (?:mum|dad)\b",
    r"\b(?:someone|somebody|one of them|one of the staff) (?:in|from|at|on) (?:the )?"
    r"(?:office|school|staff|pta|kitchen|year \w+|reception|governors|front desk)\b",
]))
STAFF_WORD = re.compile(
    r"\b(?:mr|mrs|miss|ms|mx|dr|sir)\.? [a-z]|\b(?:teachers?|head|headteacher|deputy|senco|"
    r"tas?|teaching assistants?|bursar|caretaker|receptionist|office|dinner lady|governors?|"
    r"staff|coach|business manager|site manager|cleaner|school nurse)\b")
PUPIL_WORD = re.compile(r"\b(?:boy|girl|kid|lad|child|pupil|children|kids)\b")
NEGATIVE = re.compile(r"\b" + _alt(
    r"bully|bullies|useless|lazy|incompetent|clueless|rude|nasty|horrible|awful|vile|"
    r"disgrace|disgraceful|pathetic|thug|feral|vicious|spiteful|evil|creep|creepy|weirdo|"
    r"liar|snake|hypocrite|joke|waste of space|worst|terrible|shocking|unprofessional|"
    r"can'?t teach|shouldn'?t be (?:allowed|teaching|working)|no idea|not fit|unfit|"
    r"cow|witch|idiot|moron|stupid|thick|bitter|power[- ]mad|jumped[- ]up|two[- ]faced|"
    r"nightmare|menace|brat|spoilt|little sod|troublemaker|psycho|unhinged|sly|sneaky|"
    r"scum|scumbags?|trash|lowlifes?|losers?|pigs?|animals|chavs?|"
    r"disgusting|a bully|out of (?:her|his|their) depth|favourites|picks on") + r"\b")
FIRST_PERSON_VIOLENCE = re.compile(
    r"\b(?:i'?ll|i will|i'?m going to|i'?m gonna|i am going to|gonna|going to|we'?ll|we will)"
    r" (?:\w+ ){0,3}(?:kill|punch|hit|batter|smash|stab|hurt|knock|slap|kick|deck|"
    r"burn|shoot|beat|smack|strangle|lamp|floor|do him|do her|sort)\b")


QUOTED = re.compile(r"\"[^\"]{2,80}\"|(?:^|\s)'[^']{2,80}'(?:\s|[.,!?]|$)")


@dataclass
class Cues:
    """What the cues found in one comment (matched text kept for explanations)."""

    groups: list[str] = field(default_factory=list)
    slur: str = ""
    attack: str = ""
    counter: str = ""
    child: str = ""
    harm: str = ""
    veiled: str = ""
    idiom: str = ""
    hedge: str = ""
    wrongdoing: str = ""
    person: str = ""
    negative: str = ""
    first_person_violence: str = ""
    conditional: bool = False
    staff: bool = False
    pupil: bool = False
    quoted: bool = False  # words in quotation marks: often someone else's, quoted to reject

    FEATURES = ("identity", "slur", "attack", "counter", "child", "harm", "child_harm",
                "veiled", "idiom", "hedge", "wrongdoing", "person", "negative",
                "first_person_violence", "conditional", "staff", "pupil", "quoted")

    def vector(self) -> list[float]:
        """0/1 features in FEATURES order, for the learnt heads."""
        values = {"identity": bool(self.groups), "child_harm": bool(self.child and self.harm)}
        return [float(values.get(name, bool(getattr(self, name, "")))) for name in self.FEATURES]


def _find(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0).strip() if match else ""


def find_cues(text: str, clean: str) -> Cues:
    """Cues for a comment: `text` is the original, `clean` its normalised form."""
    low = plain(text)
    # Menace is looked for outside idioms, so "I'm going to kill my husband, he forgot the PE
    # kit" is hyperbole, not a first-person threat.
    menace_text = IDIOM.sub(" ", low)
    groups = [g for g, rx in _IDENTITY_RES.items() if rx.search(low) or rx.search(clean)]
    harm = _find(HARM, low)
    if harm and NOT_HARM.search(low) and not _find(HARM, NOT_HARM.sub(" ", low)):
        harm = ""
    return Cues(
        groups=groups, slur=_find(SLURS, clean), attack=_find(ATTACK, low),
        counter=_find(COUNTER, low), child=_find(CHILD, low), harm=harm,
        veiled=_find(VEILED, menace_text), idiom=_find(IDIOM, low), hedge=_find(HEDGE, low),
        wrongdoing=_find(WRONGDOING, low), person=_find(PERSON, low),
        negative=_find(NEGATIVE, low),
        first_person_violence=_find(FIRST_PERSON_VIOLENCE, menace_text),
        conditional=bool(re.search(r"\b(?:if|unless|next time|one more|keep(?:s)? (?:going|"
                                   r"on|doing|picking))\b", low)),
        staff=bool(STAFF_WORD.search(low)), pupil=bool(PUPIL_WORD.search(low)),
        quoted=bool(QUOTED.search(low)),
    )
