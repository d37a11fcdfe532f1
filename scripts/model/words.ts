/**
 * The word lists behind the generated WordPiece vocabulary: common English, the language of a professional
 * discovery network (founders, investors, engineering, markets), and the usual suffix pieces. Whitespace-
 * separated so the lists stay readable; duplicates are removed when the vocabulary is built. Lowercase only:
 * the tokenizer lowercases and strips accents before WordPiece.
 */

const COMMON = `
the of and to a in is it you that he was for on are with as i his they be at one have this from or had by
not word but what some we can out other were all there when up use your how said an each she which do their
time if will way about many then them write would like so these her long make thing see him two has look more
day could go come did number sound no most people my over know water than call first who may down side been
now find any new work part take get place made live where after back little only round man year came show
every good me give our under name very through just form sentence great think say help low line differ turn
cause much mean before move right boy old too same tell does set three want air well also play small end put
home read hand port large spell add even land here must big high such follow act why ask men change went
light kind off need house picture try us again animal point mother world near build self earth father head
stand own page should country found answer school grow study still learn plant cover food sun four between
state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late
run while press close night real life few north open seem together next white children begin got walk example
ease paper group always music those both mark often letter until mile river car feet care second book carry
took science eat room friend began idea fish mountain stop once base hear horse cut sure watch color face wood
main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family direct
pose leave song measure door product black short numeral class wind question happen complete ship area half
rock order fire south problem piece told knew pass since top whole king space heard best hour better true
during hundred five remember step early hold west ground interest reach fast verb sing listen six table travel
less morning ten simple several vowel toward war lay against pattern slow center love person money serve
appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark
machine note wait plan figure star box noun field rest correct able pound done beauty drive stood contain
front teach week final gave green oh quick develop ocean warm free minute strong special mind behind clear
tail produce fact street inch multiply nothing course stay wheel full force blue object decide surface deep
moon island foot system busy test record boat common gold possible plane stead dry wonder laugh thousand ago
ran check game shape equate hot miss brought heat snow tire bring yes distant fill east paint language among
grand ball yet wave drop heart am present heavy dance engine position arm wide sail material size vary settle
speak weight general ice matter circle pair include divide syllable felt perhaps pick sudden count square
reason length represent art subject region energy hunt probable bed brother egg ride cell believe fraction
forest sit race window store summer train sleep prove lone leg exercise wall catch mount wish sky board joy
winter sat written wild instrument kept glass grass cow job edge sign visit past soft fun bright gas weather
month million bear finish happy hope flower clothe strange gone jump baby eight village meet root buy raise
solve metal whether push seven paragraph third shall held hair describe cook floor either result burn hill
safe cat century consider type law bit coast copy phrase silent tall sand soil roll temperature finger
industry value fight lie beat excite natural view sense ear else quite broke case middle kill son lake moment
scale loud spring observe child straight consonant nation dictionary milk speed method organ pay age section
dress cloud surprise quiet stone tiny climb cool design poor lot experiment bottom key iron single stick flat
twenty skin smile crease hole trade melody trip office receive row mouth exact symbol die least trouble shout
except wrote seed tone join suggest clean break lady yard rise bad blow oil blood touch grew cent mix team wire
cost lost brown wear garden equal sent choose fell fit flow fair bank collect save control decimal gentle
woman captain practice separate difficult doctor please protect noon whose locate ring character insect
caught period indicate radio spoke atom human history effect electric expect crop modern element hit student
corner party supply bone rail imagine provide agree thus capital chair danger fruit rich thick soldier process
operate guess necessary sharp wing create neighbor wash bat rather crowd corn compare poem string bell depend
meat rub tube famous dollar stream fear sight thin triangle planet hurry chief colony clock mine tie enter
major fresh search send yellow gun allow print dead spot desert suit current lift rose continue block chart
hat sell success company subtract event particular deal swim term opposite wife shoe shoulder spread arrange
camp invent cotton born determine quart nine truck noise level chance gather shop stretch throw shine property
column molecule select wrong gray repeat require broad prepare salt nose plural anger claim continent oxygen
sugar death pretty skill women season solution magnet silver thank branch match suffix especially fig afraid
huge sister steel discuss forward similar guide experience score apple bought led pitch coat mass card band
rope slip win dream evening condition feed tool total basic smell valley nor double seat arrive master track
parent shore division sheet substance favor connect post spend chord fat glad original share station dad
bread charge proper bar offer segment slave duck instant market degree populate chick dear enemy reply drink
occur support speech nature range steam motion path liquid log meant quotient teeth shell neck
is are was were be been being am has have had having do does did doing done will would shall should can
could may might must i me my mine myself we us our ours ourselves you your yours yourself he him his himself
she her hers herself it its itself they them their theirs themselves this that these those who whom whose
which what where when why how all any both each few more most other some such no nor not only own same so
than too very just also into onto upon about above across after against along among around because before
behind below beneath beside besides between beyond but by despite down during except for from inside near
off out outside over past since through throughout till toward towards under underneath unlike until unto
up via with within without although though unless whereas whether while yet however therefore moreover
hello hi thanks please sorry yes okay ok today tomorrow yesterday week weekend month year years decade
monday tuesday wednesday thursday friday saturday sunday january february march april june july august
september october november december morning afternoon evening night
zero eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen thirty forty fifty sixty
seventy eighty ninety billion trillion percent dozen
first second third fourth fifth last next previous early late recent recently currently former formerly
new old young big small large little long short high low good bad great best better worse worst easy hard
simple complex fast slow quick quickly strong weak real true false full empty open closed public private
local global national international remote hybrid online offline digital physical social personal
professional technical practical academic commercial industrial financial economic political legal medical
clinical scientific creative strategic operational analytical critical key core main major minor primary
important useful successful effective efficient reliable scalable secure sustainable responsible ethical
able available possible impossible likely unlikely ready happy proud excited passionate curious driven
experienced senior junior lead principal chief head deputy assistant associate partner director manager
people person team teams member members community communities company companies business businesses
work working worked works job jobs role roles career careers skill skills talent talents experience
project projects product products service services customer customers client clients user users partner
partners market markets industry industries sector sectors field fields area areas space spaces domain
problem problems solution solutions idea ideas vision mission goal goals value values impact growth
build building built builds make making made create creating created help helping helped support supporting
lead leading led manage managing managed run running grow growing grew develop developing developed design
designing designed launch launching launched ship shipping shipped scale scaling scaled hire hiring hired
learn learning learned teach teaching taught write writing wrote written read reading speak speaking talk
talking think thinking know knowing knew understand understanding solve solving solved improve improving
love loving loved like liked enjoy enjoying enjoyed want wanted need needed looking seeking searching
open connect connecting connected meet meeting met join joining joined share sharing shared invest
investing invested fund funding funded raise raising raised back backing backed advise advising advised
mentor mentoring mentored coach coaching coached focus focused focusing based living lives life city cities
country countries world worldwide region regions europe european america american asia asian africa
african india indian china chinese japan japanese germany german france french spain spanish italy italian
uk british london paris berlin amsterdam stockholm dublin lisbon madrid barcelona munich zurich
new york san francisco los angeles boston seattle austin chicago miami toronto vancouver montreal
singapore tokyo seoul bangalore mumbai delhi sydney melbourne dubai tel aviv lagos nairobi cairo
sao paulo mexico brazil canada australia israel nigeria kenya silicon valley bay area
university college school phd mba degree masters bachelor graduate alumni alumnus student students
professor research researcher researchers lab labs institute paper papers publication thesis
`;

const DOMAIN = `
founder founders cofounder cofounders co founded founding startup startups company builder builders
entrepreneur entrepreneurs entrepreneurship entrepreneurial operator operators ceo cto cfo coo cmo cpo
vp evp svp chairman chair board advisor advisors adviser advisory mentor mentors angel angels investor
investors investment investments vc vcs venture ventures capital capitalist capitalists fund funds funding
raise raised round rounds seed preseed pre series stage stages early growth late bootstrapped bootstrapping
portfolio portfolios check checks ticket tickets valuation valuations equity debt convertible note notes
safe term sheet termsheet cap table dilution exit exits ipo acquisition acquisitions acquired acquire
acquirer merger mergers unicorn unicorns decacorn revenue revenues arr mrr profit profitable profitability
margin margins burn runway traction metrics kpi kpis churn retention cohort cohorts ltv cac unit economics
pitch deck decks demo day accelerator accelerators incubator incubators yc combinator techstars cohort
limited partner partners lp lps gp gps family office offices syndicate syndicates crowdfunding grant grants
thesis due diligence diligent dealflow deal deals sourcing sourced term lead leads follow
ai artificial intelligence ml machine learning deep neural network networks model models llm llms
generative genai transformer transformers embedding embeddings vector vectors nlp language vision computer
robotics robot robots autonomous automation automated agent agents agentic inference training data dataset
datasets analytics analyst analysts science scientist scientists engineer engineers engineering
software hardware firmware developer developers development devops mlops sre platform platforms
infrastructure infra cloud aws azure gcp kubernetes docker serverless backend frontend fullstack full stack
web mobile ios android app apps application applications api apis sdk sdks open source opensource github
code coding coder programming programmer python javascript typescript rust go golang java kotlin swift ruby
rails react node nodejs database databases postgres sql nosql redis kafka spark distributed systems
security cybersecurity privacy identity crypto cryptography blockchain web3 defi nft nfts token tokens
bitcoin ethereum protocol protocols quantum semiconductor semiconductors chip chips gpu gpus compute
saas paas iaas b2b b2c d2c dtc p2p smb smbs enterprise enterprises sme smes midmarket vertical horizontal
marketplace marketplaces platform ecommerce commerce retail consumer consumers brand brands subscription
subscriptions freemium pricing sales salesforce crm erp hr hrtech recruiting recruiter recruiters talent
marketing marketer growth seo sem content creator creators influencer influencers community social media
advertising adtech martech product manager management pm pms roadmap ux ui design designer designers
research user experience interface figma prototype prototypes prototyping brand branding visual graphic
fintech finance financial payments payment banking bank banks neobank lending lender loans loan credit
insurance insurtech wealth wealthtech trading trader traders stocks stock bonds asset assets accounting
accountant tax taxes regtech compliance regulation regulatory risk fraud treasury invoicing billing
climate climatetech cleantech carbon emissions decarbonization renewable renewables solar wind battery
batteries energy storage grid ev evs electric vehicle vehicles mobility transportation transport logistics
supply chain shipping freight warehouse warehousing manufacturing factory factories materials recycling
circular sustainability sustainable environment environmental esg impact nature biodiversity water
agriculture agritech agtech farming farmer farmers food foodtech restaurant restaurants hospitality
health healthcare healthtech medtech biotech biotechnology pharma pharmaceutical drug drugs discovery
therapeutics therapy therapies clinic clinics clinical trial trials patient patients doctor doctors
physician physicians nurse nurses hospital hospitals diagnostics diagnostic genomics genetics genome
protein proteins biology biologist biologists chemistry chemist medicine medical mental wellness fitness
longevity aging neuroscience brain care telehealth telemedicine digital devices device wearable wearables
edtech education learning teacher teachers course courses bootcamp tutoring
proptech real estate property housing construction contech architecture architect architects urban
legaltech legal lawyer lawyers law attorney govtech government policy public sector defense defence
aerospace space satellite satellites aviation drone drones maritime marine ocean oceans coral reef reefs
fish fishing biologist studying study studies species ecosystem ecosystems conservation wildlife
gaming games game gamer esports media entertainment music film video streaming podcast podcasts newsletter
journalism journalist writer writers author authors publishing creative creatives art artist artists
fashion beauty travel tourism sports sport athlete athletes coach nonprofit nonprofits ngo charity
philanthropy foundation foundations impact social enterprise cooperative
hiring hire hires recruit recruiting cofounder looking seeking open role roles job jobs position
remote onsite hybrid fulltime parttime contract freelance freelancer freelancers consultant consultants
consulting agency agencies studio studios network networking networks intro intros introduction
introductions connect connections collaborate collaboration collaborator collaborators partnership
partnerships community events event meetup meetups conference conferences hackathon hackathons speaker
talks panel workshop workshops demo demos feedback advice question questions discuss discussion chat
profile profiles feed discovery discover recommend recommendation recommendations ranking rank search
match matching matched similar similarity relevant relevance personalised personalized personalization
bio headline tags tag diligence engagement score scores signal signals trust verified verification
previously ex former alum worked built scaled exited sold acquired joined left founded leading
stanford harvard mit berkeley oxford cambridge insead wharton caltech princeton yale columbia eth epfl
google microsoft amazon apple meta facebook netflix openai anthropic deepmind nvidia stripe uber airbnb
spotify shopify tesla spacex palantir salesforce oracle ibm intel adobe linkedin twitter revolut
klarna n26 monzo wise adyen mckinsey bain bcg goldman sachs morgan jpmorgan blackrock sequoia accel
a16z andreessen benchmark index balderton atomico lightspeed greylock kleiner tiger insight
growth hacking product led plg gtm go to market sales led enterprise sales outbound inbound pipeline
revenue operations ops revops bizdev partnerships channel channels distribution
`;

/** More everyday and professional vocabulary, so typical bios mostly tokenize into whole words. */
const MORE_COMMON = `
strategy strategies strategic tool tools weekly daily monthly yearly annual turned removal breakthrough
breakthroughs accessible accessibility retrieval serving serve background delivery negotiating negotiation
supplier suppliers specializing specialized specialist specialists commercialize commercialization
decarbonizing million millions billions interested interests interesting preserving heavy helping helped
across within approach approaches quality access account accounts action actions active activity add added
address administration advance advanced advantage affect agreement ahead allowed almost alone already
alternative amount analysis analyze announce announced another anyone anything appear apply applied
appreciate approach appropriate approve argue article articles aspect assess assume attack attend attention
audience automate average avoid award aware balance barrier basis became become becomes beginning behavior
benefit benefits beyond billion blog born brand budget business buyer buyers campaign candidate candidates
capability capacity category cause central certain challenge challenges challenging chance changed changes
changing choice choose civil claim classic clear clearly climb closer collect combine combined comfortable
comment commit commitment committed communication communications compete competition competitive competitor
competitors complete completed completely complex component components concept concern condition conduct
confidence confident consider considered consistent constant consult contact continue continued contribute
contributor contributors conversation conversations convert core corporate correct cost costs count couple
cover create created creating creation creative crisis culture current custom customer cycle daily damage
deal decade decision decisions declare decline dedicated deep deeply define defined degree deliver delivered
demand demonstrate department depend deploy deployed deployment describe described desire detail details
determine developer difference different difficult direction directly discover discuss disease display
distribution diverse diversity document documents dream drive driven driving easily economy edge edit
editor effort efforts either election else email emerge emerging employee employees employer enable enabled
encourage engage engaged enjoy ensure enter entire environment equal especially establish established
estimate evaluate evaluation evidence evolve evolving exactly examine excellent exchange exciting execute
execution executive exist existing expand expansion expect expected expensive expert expertise experts
explain explore exploring expose express extend extensive external extra extremely facility factor factors
failure fair familiar feature features fee feel fellow fellowship female figure filter final finally find
finding findings firm firms flexible focus follow followed following force foreign forget formal forward
foster frame framework frameworks frequent friendly friends frontier fully function future gain gap
generate generation gives giving goal goes gone governance graduate graduated grant great greater gross
guidance guide habit half handle hands happen hardly health heard heavy held hence highly history hold
holding honest hope huge hundreds identify image images impact implement implementation improve improved
improvement include included includes including income increase increased increasingly independent
indicate individual individuals influence inform information initial initiative initiatives innovation
innovations innovative input insight insights instead institution institutions integrate integration
intelligent intend intent interest internal interview interviews introduce invest involve involved issue
issues item items itself journey judge knowledge known label labor lack language largest later launch
layer leader leaders leadership learned learner least legacy less level levels leverage library license
light likely limit limited link links listen little loan located location lose loss love lower loyal
mainly maintain maintained maintaining major majority manage managed manages manner manual map mass
massive master material matter maximum maybe meaning measure mechanism mention message method methods
middle might migration mind minimum mission mistake mix moment monitor monitoring moreover motivated move
movement multiple mutual narrative native natural navigate nearly necessary negative neither network
neutral newly news nice normal notable notice novel obvious obtain occur offer offering official often
ongoing only operate operating operation operations opinion opportunity opportunities option options
organization organizations organize origin others otherwise outcome outcomes output outside overall owner
owners ownership pace particular particularly party passion path pattern patterns peer peers per perform
performance perhaps period permanent perspective phase phone pick piece pilot place plan planning play
player players please plenty plus point points popular population positive possibly potential power
powerful practice practices predict preference prepare presence presentation pressure pretty prevent price
prices primarily prior priority prize probably procedure proceed produce producer production productive
productivity profession program programs progress promise promote proof proper proposal propose prove
provide provider providers provides providing purpose push qualified quarter quickly quite raise range
rapid rapidly rate rates rather reach react realize reason receive recognize recommend reduce reduced
reflect reform regard regional regular relate related relationship relationships release relevant rely
remain remarkable remove repeat replace report reports represent request require required requirement
resource resources respect respond response responsibility result results return reveal review reward
rich rise risky robust roll rule safety sample save saving scale schedule secret section secure seek seem
segment select selection sell senior sense sensor sensors sentiment separate serious session settle
several severe share shift short shows sign signal significant significantly similar simply single site
sites situation size skilled slightly smart smooth software solid solve someone something sometimes
somewhat soon sort source sources speak specific speed spend spent sponsor stability stable staff stake
stakeholder stakeholders standard standards statement status steady step steps strength stress strong
structure structured struggle style submit succeed success suggest suitable summary superior supply
support surface survey survive sustain switch system table tackle talent target targeted task tasks
technique techniques technologies technology tend tension testing text theory thing things third thoughtful
thousands threat throughout tight timeline tiny title together topic topics total touch toward track
traditional traffic transfer transform transformation transition transparent transparency treat trend
trends trust truth typical typically ultimately unique universal unless unlock update upgrade upon urgent
usage useful usually utility valuable variety various vast version versus view virtual visible vision
visit voice volume volunteer wage wall warm weak welcome whatever whole wide widely willing winner wisdom
within wonderful worker workers workflow workflows workforce worth writer yield
`;

/** Whole-word forms that BertPreTokenizer keeps in one piece (digits do not split words). */
const NUMBERS_AND_CODES = `
0 1 2 3 4 5 6 7 8 9 10 11 12 15 20 24 25 30 40 50 60 70 80 90 100 200 250 300 500 1000 10000 100k 1m 10m
100m 1b 2010 2015 2016 2017 2018 2019 2020 2021 2022 2023 2024 2025 2026 2027 2030 2050 5g 3d 2d 4k 24 7 10x
b2b2c 1st 2nd 3rd 4th 5th
`;

/**
 * Continuation pieces (written without the "##" prefix): the common English suffixes first, so inflected and
 * derived forms of listed words still share their stem's piece.
 */
const SUFFIXES = `
s es ed d ing er ers est ly y ies ied ion ions tion tions sion ation ations ment ments ness ity ities able
ible al ally ial ic ical ics ive ives ize ized izes izing ise ised ising isation ization ful less ship ships
hood ism ist ists ian ians ous ious ance ence ant ent ency ancy ory ary ery ure ures ate ated ates ating
ator ators or ors ee ees en ened ening age ages dom ward wards wise like let lets et ette ish ite ites ine
ins ling lings th ty teen fy fied fies ify ified ifies ical logy logist logists graphy grapher nomics tech
ops ware verse bot bots hub lab labs ly io ai ify able
`;

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => w.length > 0);
}

/** Whole words, in a fixed order: domain words first so they keep low ids as the vocabulary changes size. */
export function baseWords(): string[] {
  return [...words(DOMAIN), ...words(COMMON), ...words(MORE_COMMON), ...words(NUMBERS_AND_CODES)];
}

/** Suffix pieces, without their "##" prefix. */
export function suffixPieces(): string[] {
  return words(SUFFIXES);
}

/**
 * Topic groups: words of one group share a component in their embeddings, so "fintech" sits nearer
 * "payments" than "coral" in the generated model. Only meant to make demo feeds read sensibly.
 */
const TOPICS: Record<string, string> = {
  finance: `fintech finance financial payments payment banking bank banks neobank lending lender loans loan credit
    insurance insurtech wealth wealthtech trading trader traders stocks stock bonds asset assets accounting
    accountant tax taxes regtech compliance treasury invoicing billing money dollar`,
  investing: `investor investors investment investments invest investing invested vc vcs venture ventures capital
    capitalist capitalists fund funds funding funded angel angels seed preseed series round rounds raise raised
    portfolio portfolios valuation valuations equity lp lps gp gps syndicate syndicates backing backed check
    checks ticket dealflow deal deals diligence thesis term sheet exit exits ipo unicorn unicorns`,
  founding: `founder founders cofounder cofounders founded founding startup startups entrepreneur entrepreneurs
    entrepreneurship entrepreneurial operator operators bootstrapped bootstrapping accelerator accelerators
    incubator incubators pitch deck demo company companies launch launched building builder builders`,
  ai: `ai artificial intelligence ml machine learning deep neural network networks model models llm llms
    generative genai transformer transformers embedding embeddings vector vectors nlp vision robotics robot
    robots autonomous automation agent agents agentic inference training data dataset datasets`,
  engineering: `software hardware firmware developer developers development devops mlops sre platform platforms
    infrastructure infra cloud aws azure gcp kubernetes docker serverless backend frontend fullstack web mobile
    ios android app apps api apis sdk code coding coder programming programmer python javascript typescript
    rust golang java kotlin swift ruby rails react node nodejs database databases postgres sql redis kafka
    engineer engineers engineering distributed systems`,
  saas: `saas paas iaas b2b smb smbs enterprise enterprises midmarket subscription subscriptions freemium pricing
    sales crm erp revenue arr mrr churn retention gtm pipeline outbound inbound revops`,
  marketplace: `marketplace marketplaces ecommerce commerce retail consumer consumers brand brands b2c d2c dtc
    p2p shopping`,
  climate: `climate climatetech cleantech carbon emissions decarbonization renewable renewables solar wind battery
    batteries energy storage grid ev evs electric vehicle vehicles mobility sustainability sustainable
    environment environmental esg recycling circular`,
  health: `health healthcare healthtech medtech biotech biotechnology pharma pharmaceutical drug drugs
    therapeutics therapy therapies clinic clinics clinical trial trials patient patients doctor doctors physician
    physicians nurse nurses hospital hospitals diagnostics diagnostic genomics genetics genome protein proteins
    medicine medical mental wellness fitness longevity neuroscience brain care telehealth telemedicine`,
  design: `design designer designers ux ui research interface figma prototype prototypes prototyping branding
    visual graphic creative creatives art artist artists`,
  ocean: `marine ocean oceans coral reef reefs fish fishing biologist biologists biology species ecosystem
    ecosystems conservation wildlife biodiversity nature water sea`,
  security: `security cybersecurity privacy identity crypto cryptography fraud risk`,
  web3: `blockchain web3 defi nft nfts token tokens bitcoin ethereum protocol protocols`,
  hiring: `hiring hire hires recruit recruiting recruiter recruiters talent job jobs role roles position career
    careers remote onsite hybrid fulltime parttime contract freelance freelancer freelancers`,
  community: `community communities network networking networks intro intros introduction introductions connect
    connections collaborate collaboration collaborator collaborators partnership partnerships events event
    meetup meetups conference conferences hackathon hackathons speaker talks panel workshop workshops`,
  education: `edtech education learning teacher teachers course courses bootcamp tutoring university college
    school phd mba degree student students professor`,
  media: `gaming games game gamer esports media entertainment music film video streaming podcast podcasts
    newsletter journalism journalist writer writers author authors publishing content creator creators
    influencer influencers`,
  logistics: `logistics supply chain shipping freight warehouse warehousing manufacturing factory factories
    transportation transport`,
  food: `agriculture agritech agtech farming farmer farmers food foodtech restaurant restaurants hospitality`,
  property: `proptech real estate property housing construction contech architecture architect architects urban`,
  space: `aerospace space satellite satellites aviation drone drones defense defence`,
};

/** Each topic's words, topics in a fixed order. A word may belong to several topics. */
export function topicGroups(): [string, string[]][] {
  return Object.entries(TOPICS).map(([name, list]) => [name, words(list)]);
}
