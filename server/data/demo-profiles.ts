/**
 * The demo data set: a few hundred candidate profiles of a professional discovery network (founders,
 * investors, engineers, designers, operators, researchers, advisors) across sectors, stages and cities.
 *
 * Generated, not stored: a seeded PRNG walks fixed word lists and sentence templates, so every run (and every
 * server process) produces byte-identical profiles. Words are plain English, so the generated test model's
 * vocabulary covers them.
 */
import type { Profile } from '../../shared/types';

/** Number of profiles `demoProfiles()` returns by default. */
export const DEMO_PROFILE_COUNT = 300;

/** updated_at of every demo profile lies up to 180 days before this instant. */
export const DEMO_UPDATED_AT_BASE = Date.UTC(2026, 0, 15, 9, 0, 0);

/** Seed of the generator; change it and every profile changes. */
const DEMO_SEED = 0x6e66_6565; // "nfee"

/**
 * The demo candidate set, deterministic: the same `count` always gives the same profiles in the same order.
 * Ids are `demo-001`, `demo-002`, ...
 */
export function demoProfiles(count: number = DEMO_PROFILE_COUNT): Profile[] {
  const rng = new Rng(DEMO_SEED);
  const usedNames = new Set<string>();
  const profiles: Profile[] = [];
  for (let i = 0; i < count; i++) {
    const name = uniqueName(rng, usedNames);
    const role = ROLE_MIX[i % ROLE_MIX.length] as RoleKind;
    const ctx = makeContext(rng, name);
    const body = ROLE_WRITERS[role](rng, ctx);
    const { diligence, engagement } = scores(rng, role);
    const minutesAgo = rng.int(0, 180 * 24 * 60);
    profiles.push({
      id: `demo-${String(i + 1).padStart(3, '0')}`,
      name,
      headline: body.headline,
      bio: body.bio,
      tags: uniqueTags(body.tags),
      diligence,
      engagement,
      updated_at: new Date(DEMO_UPDATED_AT_BASE - minutesAgo * 60_000).toISOString(),
    });
  }
  return profiles;
}

// ---------------------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: small, fast, and the same sequence on every platform. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Word lists

const FIRST_NAMES = [
  'Amara', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hiro', 'Isabel', 'James', 'Kavya', 'Liam',
  'Maya', 'Noah', 'Olivia', 'Pablo', 'Quinn', 'Rosa', 'Samuel', 'Tara', 'Umar', 'Vera', 'William', 'Yara',
  'Zoe', 'Adam', 'Bianca', 'Carlos', 'Diana', 'Ethan', 'Fatima', 'Gabriel', 'Hannah', 'Ivan', 'Julia', 'Kofi',
  'Lena', 'Marco', 'Nadia', 'Oscar', 'Priya', 'Rafael', 'Sofia', 'Tom', 'Uma', 'Victor', 'Wei', 'Xavier',
  'Yusuf', 'Zara', 'Alice', 'Arjun', 'Claire', 'David', 'Emma', 'Felix', 'Helen', 'Jack', 'Laura', 'Leo',
  'Lucy', 'Mia', 'Nina', 'Omar', 'Paul', 'Ruth', 'Sara', 'Sam', 'Anna', 'Kenji', 'Lucas', 'Mei', 'Ravi',
  'Sean', 'Chen', 'Ines', 'Joel', 'Kate', 'Max', 'Nora',
] as const;

const LAST_NAMES = [
  'Okafor', 'Schmidt', 'Martin', 'Kim', 'Rossi', 'Haddad', 'Lee', 'Tanaka', 'Garcia', 'Walker', 'Iyer',
  'Murphy', 'Cohen', 'Silva', 'Novak', 'Ortiz', 'Brooks', 'Mendes', 'Adeyemi', 'Shah', 'Khan', 'Petrov',
  'Chen', 'Nakamura', 'Fischer', 'Dubois', 'Santos', 'Larsen', 'Patel', 'Wright', 'Hughes', 'Moreau', 'Berg',
  'Costa', 'Meyer', 'Nguyen', 'Alvarez', 'Reyes', 'Mensah', 'Owusu', 'Park', 'Singh', 'Romano', 'Evans',
  'Baker', 'Clarke', 'Hall', 'Jensen', 'Lopez', 'Weber', 'Young', 'Ahmed', 'Becker', 'Carter', 'Diaz',
  'Foster', 'Gray', 'Ito', 'Jones', 'Kaur', 'Lewis', 'Morris', 'Nash', 'Price', 'Reed', 'Stone', 'Turner',
  'Wood', 'Ward', 'Bell',
] as const;

const CITIES = [
  'London', 'Berlin', 'Paris', 'Amsterdam', 'Stockholm', 'Lisbon', 'Madrid', 'Dublin', 'Zurich', 'Warsaw',
  'New York', 'San Francisco', 'Boston', 'Austin', 'Seattle', 'Toronto', 'Chicago', 'Miami', 'Lagos',
  'Nairobi', 'Cape Town', 'Bangalore', 'Singapore', 'Tokyo', 'Sydney', 'Dubai', 'Sao Paulo', 'Mexico City',
] as const;

interface Sector {
  name: string;
  tag: string;
  /** What a company in it builds: "a ... that helps {customer} {benefit}". */
  products: readonly string[];
  customers: readonly string[];
  benefits: readonly string[];
  /** Theme an investor or researcher cares about. */
  themes: readonly string[];
  skills: readonly string[];
}

const SECTORS: readonly Sector[] = [
  {
    name: 'fintech', tag: 'fintech',
    products: ['payments platform', 'business banking app', 'lending service', 'expense tool', 'fraud detection system'],
    customers: ['small businesses', 'freelancers', 'online stores', 'credit unions', 'families'],
    benefits: ['get paid faster', 'manage cash flow', 'borrow at fair rates', 'cut card fraud', 'save money every month'],
    themes: ['open banking', 'embedded finance', 'payments infrastructure', 'credit for the underserved'],
    skills: ['payments', 'risk', 'compliance', 'banking'],
  },
  {
    name: 'climate', tag: 'climate',
    products: ['carbon accounting platform', 'battery storage network', 'home energy app', 'solar financing service', 'grid software'],
    customers: ['factories', 'utilities', 'home owners', 'city councils', 'logistics teams'],
    benefits: ['measure and cut emissions', 'store clean energy', 'lower their energy bills', 'move to solar power', 'balance the grid'],
    themes: ['energy storage', 'carbon removal', 'clean power', 'sustainable supply chains'],
    skills: ['energy', 'sustainability', 'hardware', 'data'],
  },
  {
    name: 'health', tag: 'health',
    products: ['remote care platform', 'mental health app', 'clinic scheduling tool', 'patient records system', 'fitness coaching app'],
    customers: ['hospitals', 'patients', 'family doctors', 'care homes', 'employers'],
    benefits: ['see patients sooner', 'support mental health', 'reduce waiting times', 'share records safely', 'stay active'],
    themes: ['digital health', 'preventive care', 'mental health', 'care at home'],
    skills: ['healthcare', 'clinical', 'privacy', 'wellness'],
  },
  {
    name: 'artificial intelligence', tag: 'ai',
    products: ['document search engine', 'customer support assistant', 'machine learning platform', 'speech recognition service', 'data labeling tool'],
    customers: ['law firms', 'support teams', 'data teams', 'call centers', 'research labs'],
    benefits: ['find answers in seconds', 'answer customers around the clock', 'ship models faster', 'turn calls into notes', 'build better training data'],
    themes: ['applied machine learning', 'language models', 'developer tools for AI', 'trust and safety in AI'],
    skills: ['machine learning', 'python', 'data science', 'search'],
  },
  {
    name: 'software for business', tag: 'saas',
    products: ['sales planning tool', 'team chat app', 'project management platform', 'hiring software', 'analytics dashboard'],
    customers: ['sales teams', 'remote teams', 'agencies', 'hiring managers', 'finance teams'],
    benefits: ['close more deals', 'work together across time zones', 'ship projects on time', 'hire the right people', 'make decisions with data'],
    themes: ['vertical software', 'product led growth', 'the future of work', 'developer tools'],
    skills: ['sales', 'product', 'growth', 'cloud'],
  },
  {
    name: 'marketplaces', tag: 'marketplace',
    products: ['home services marketplace', 'used car marketplace', 'freelance talent platform', 'food delivery network', 'rental marketplace'],
    customers: ['local trades', 'car buyers', 'independent workers', 'restaurants', 'travelers'],
    benefits: ['find work nearby', 'buy with confidence', 'find great clients', 'reach more customers', 'book a place to stay'],
    themes: ['two sided marketplaces', 'local commerce', 'the creator economy', 'trust between strangers'],
    skills: ['operations', 'growth', 'supply', 'pricing'],
  },
  {
    name: 'education', tag: 'edtech',
    products: ['online learning platform', 'language learning app', 'tutoring network', 'coding school', 'school management system'],
    customers: ['students', 'teachers', 'parents', 'career changers', 'schools'],
    benefits: ['learn at their own pace', 'speak a new language', 'get help with homework', 'start a career in tech', 'run classes smoothly'],
    themes: ['lifelong learning', 'skills for work', 'access to education', 'learning with games'],
    skills: ['teaching', 'content', 'community', 'learning design'],
  },
  {
    name: 'biotech', tag: 'biotech',
    products: ['drug discovery platform', 'lab automation system', 'gene testing service', 'clinical trial tool', 'protein design engine'],
    customers: ['drug makers', 'research labs', 'patients', 'trial sponsors', 'universities'],
    benefits: ['find new medicines', 'run more experiments', 'understand their risk', 'recruit trial patients', 'design better proteins'],
    themes: ['computational biology', 'new medicines', 'lab automation', 'precision medicine'],
    skills: ['biology', 'chemistry', 'lab', 'research'],
  },
  {
    name: 'logistics', tag: 'logistics',
    products: ['freight booking platform', 'delivery routing software', 'warehouse robot', 'fleet tracking app', 'supply chain planner'],
    customers: ['shippers', 'delivery firms', 'warehouses', 'truck fleets', 'retailers'],
    benefits: ['move goods for less', 'deliver on time', 'pack orders faster', 'keep drivers safe', 'plan stock ahead'],
    themes: ['supply chain', 'last mile delivery', 'robotics in warehouses', 'global trade'],
    skills: ['operations', 'routing', 'robotics', 'supply chain'],
  },
  {
    name: 'consumer', tag: 'consumer',
    products: ['social app', 'travel planning app', 'personal finance app', 'home fitness product', 'music sharing app'],
    customers: ['young people', 'travelers', 'new parents', 'busy professionals', 'music fans'],
    benefits: ['meet people with shared interests', 'plan better trips', 'build saving habits', 'train at home', 'discover new music'],
    themes: ['consumer social', 'habits and wellbeing', 'the passion economy', 'mobile first brands'],
    skills: ['mobile', 'brand', 'community', 'growth'],
  },
  {
    name: 'security', tag: 'security',
    products: ['identity platform', 'cloud security tool', 'password manager', 'threat detection service', 'security training app'],
    customers: ['IT teams', 'cloud teams', 'small companies', 'banks', 'schools'],
    benefits: ['control who gets access', 'find risky settings', 'stop password reuse', 'catch attacks early', 'train staff against phishing'],
    themes: ['identity and access', 'cloud security', 'privacy by design', 'security for small business'],
    skills: ['security', 'cloud', 'networks', 'privacy'],
  },
  {
    name: 'food and agriculture', tag: 'agtech',
    products: ['farm data platform', 'vertical farm', 'food waste app', 'plant based food brand', 'crop monitoring drone'],
    customers: ['farmers', 'grocery stores', 'restaurants', 'food makers', 'cooperatives'],
    benefits: ['grow more with less water', 'sell fresh food locally', 'waste less food', 'eat well', 'spot crop disease early'],
    themes: ['the future of food', 'regenerative farming', 'food supply', 'water use'],
    skills: ['agriculture', 'food', 'sensors', 'supply chain'],
  },
];

const STAGES = ['pre-seed', 'seed', 'Series A', 'Series B', 'growth'] as const;
const STAGE_TAG: Record<(typeof STAGES)[number], string> = {
  'pre-seed': 'pre-seed',
  seed: 'seed',
  'Series A': 'series-a',
  'Series B': 'series-b',
  growth: 'growth',
};

const COMPANY_FIRST = [
  'North', 'Bright', 'Blue', 'Clear', 'Green', 'True', 'Open', 'Swift', 'Silver', 'Stone', 'River', 'Sun',
  'Maple', 'Harbor', 'Cloud', 'Field', 'Pine', 'Iron', 'Little', 'Red', 'Oak', 'Wave', 'Star', 'Path',
] as const;
const COMPANY_SECOND = [
  'path', 'light', 'stack', 'leaf', 'bridge', 'field', 'mark', 'line', 'works', 'point', 'gate', 'wind',
  'rock', 'base', 'way', 'loop', 'nest', 'craft', 'grid', 'ledger',
] as const;
const COMPANY_SUFFIX = ['', '', '', ' Labs', ' Health', ' AI', ' Energy', ' Systems', ' Studio', ' Technologies'] as const;

const FUND_WORDS = ['Capital', 'Ventures', 'Partners', 'Fund'] as const;

const PAST_EMPLOYERS = [
  'a large bank', 'a global consulting firm', 'a fast growing startup', 'a public software company',
  'a national health service', 'a university lab', 'a big search company', 'an online retailer',
  'a ride sharing company', 'a payments company', 'a design agency', 'a car maker', 'an energy company',
] as const;

interface Context {
  first: string;
  city: string;
  sector: Sector;
  second: Sector;
  stage: (typeof STAGES)[number];
  company: string;
  years: number;
  past: string;
}

function makeContext(rng: Rng, name: string): Context {
  const sector = rng.pick(SECTORS);
  let second = rng.pick(SECTORS);
  if (second === sector) second = SECTORS[(SECTORS.indexOf(sector) + 3) % SECTORS.length] as Sector;
  return {
    first: name.split(' ')[0] as string,
    city: rng.pick(CITIES),
    sector,
    second,
    stage: rng.pick(STAGES),
    company: companyName(rng, sector),
    years: rng.int(2, 18),
    past: rng.pick(PAST_EMPLOYERS),
  };
}

function companyName(rng: Rng, sector: Sector): string {
  const suffix = rng.pick(COMPANY_SUFFIX);
  // Keep the suffix plausible: "Health" only for health companies, "Energy" only for climate ones.
  const fits =
    (suffix !== ' Health' || sector.tag === 'health') && (suffix !== ' Energy' || sector.tag === 'climate');
  return `${rng.pick(COMPANY_FIRST)}${rng.pick(COMPANY_SECOND)}${fits ? suffix : ''}`;
}

function uniqueName(rng: Rng, used: Set<string>): string {
  for (;;) {
    const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

// ---------------------------------------------------------------------------------------------------------
// Roles

type RoleKind = 'founder' | 'investor' | 'engineer' | 'designer' | 'operator' | 'researcher' | 'advisor';

/** Share of each role in the set: founders and investors lead, as in a discovery network for startups. */
const ROLE_MIX: readonly RoleKind[] = [
  'founder', 'investor', 'engineer', 'founder', 'operator', 'designer', 'investor', 'founder', 'engineer',
  'researcher', 'founder', 'advisor', 'operator', 'investor', 'engineer',
];

interface Written {
  headline: string;
  bio: string;
  tags: string[];
}

const ROLE_WRITERS: Record<RoleKind, (rng: Rng, c: Context) => Written> = {
  founder(rng, c) {
    // The lists of a sector are written in step: product k serves customer k with benefit k.
    const k = rng.int(0, c.sector.products.length - 1);
    const product = c.sector.products[k] as string;
    const customer = c.sector.customers[k] as string;
    const benefit = c.sector.benefits[k] as string;
    const title = rng.pick(['Founder and CEO', 'Co-founder and CTO', 'Co-founder', 'Founder', 'CEO and co-founder']);
    const headline = rng.pick([
      `${title} at ${c.company}`,
      `${title}, ${c.company}: ${article(product)} for ${customer}`,
      `Building ${c.company}, ${article(product)} for ${customer}`,
    ]);
    const raise = {
      'pre-seed': `We are raising a pre-seed round and talking to our first customers.`,
      seed: `We raised a seed round last year and are growing the team.`,
      'Series A': `After our Series A we are scaling sales across ${rng.pick(['Europe', 'North America', 'Africa', 'Asia'])}.`,
      'Series B': `We closed our Series B and now serve customers in ${rng.int(5, 30)} countries.`,
      growth: `${c.company} is profitable and growing fast, with more than ${rng.int(2, 9) * 100} customers.`,
    }[c.stage];
    const wants = rng.pick([
      `looking for ${rng.pick(['investors', 'a technical co-founder', 'senior engineers', 'a head of sales', 'design partners', 'advisors'])} who care about ${rng.pick(c.sector.themes)}`,
      `happy to meet other founders working on ${rng.pick(c.second.themes)}`,
      `hiring ${rng.pick(['engineers', 'designers', 'sales people', 'an operations lead'])} in ${c.city}`,
    ]);
    const bio = [
      `${c.first} is building ${c.company}, ${article(product)} that helps ${customer} ${benefit}.`,
      raise,
      `Before starting the company ${c.first} spent ${c.years} years at ${c.past}.`,
      `Based in ${c.city}, ${wants}.`,
    ].join(' ');
    return { headline, bio, tags: ['founder', c.sector.tag, STAGE_TAG[c.stage], ...rng.sample(c.sector.skills, 1)] };
  },

  investor(rng, c) {
    const angel = rng.chance(0.3);
    const fund = `${rng.pick(COMPANY_FIRST)}${rng.pick(COMPANY_SECOND)} ${rng.pick(FUND_WORDS)}`;
    const stages = angel ? ['pre-seed', 'seed'] : rng.pick([['pre-seed', 'seed'], ['seed', 'Series A'], ['Series A', 'Series B'], ['Series B', 'growth']]);
    const [low, high] = angel ? [10, 100] : stages[0] === 'pre-seed' ? [100, 500] : stages[0] === 'seed' ? [250, 2000] : [2000, 20000];
    const check = rng.int(low as number, high as number);
    const checkText = check >= 1000 ? `${Math.round(check / 100) / 10} million` : `${check} thousand`;
    const headline = angel
      ? rng.pick([`Angel investor in ${c.sector.name} and ${c.second.name}`, `Angel investor and former founder, ${c.city}`])
      : rng.pick([`${rng.pick(['Partner', 'General partner', 'Principal', 'Investor', 'Managing partner'])} at ${fund}`, `Investing in ${c.sector.name} at ${fund}`]);
    const bio = [
      angel
        ? `${c.first} writes first checks of around ${checkText} dollars into ${stages.join(' and ')} companies.`
        : `${c.first} invests at ${stages.join(' and ')} for ${fund}, with checks of about ${checkText} dollars.`,
      `Focus on ${c.sector.name} and ${c.second.name}, especially ${rng.pick(c.sector.themes)} and ${rng.pick(c.second.themes)}.`,
      rng.pick([
        `Before investing ${c.first} was a founder and spent ${c.years} years at ${c.past}.`,
        `Previously an operator for ${c.years} years at ${c.past}.`,
        `Has backed more than ${rng.int(10, 80)} companies and sits on ${rng.int(2, 9)} boards.`,
      ]),
      `Based in ${c.city}; ${rng.pick(['open to cold emails from founders', 'likes to meet founders early, before they raise', 'helps with hiring and the next round', 'prefers a short deck and a demo'])}.`,
    ].join(' ');
    return {
      headline,
      bio,
      tags: ['investor', angel ? 'angel' : 'venture capital', c.sector.tag, c.second.tag, ...stages.map((s) => STAGE_TAG[s as (typeof STAGES)[number]])],
    };
  },

  engineer(rng, c) {
    const kind = rng.pick(['backend', 'frontend', 'full stack', 'mobile', 'machine learning', 'data', 'platform', 'security']);
    const level = rng.pick(['Senior', 'Staff', 'Lead', 'Principal', '']);
    const stack = rng.sample(['TypeScript', 'Python', 'Go', 'Rust', 'Java', 'Kotlin', 'Swift', 'React', 'Postgres', 'Kubernetes', 'cloud infrastructure'], 3);
    const headline = `${level ? `${level} ` : ''}${kind} engineer${rng.chance(0.6) ? ` at ${c.company}` : `, ${c.sector.name}`}`.replace(/^./, (ch) => ch.toUpperCase());
    const bio = [
      `${c.first} is ${article(kind)} engineer with ${c.years} years of experience, most recently at ${rng.chance(0.5) ? c.company : c.past}.`,
      `Works mostly with ${stack.slice(0, 2).join(' and ')}, plus ${stack[2] as string}.`,
      rng.pick([
        `Built systems that serve millions of users and cares about simple, reliable software.`,
        `Enjoys taking products from the first prototype to a stable launch.`,
        `Led a team of ${rng.int(3, 12)} engineers and mentors people new to the field.`,
        `Has spoken at meetups about testing, performance and writing clear code.`,
      ]),
      `Interested in ${c.sector.name} and ${rng.pick(c.second.themes)}; ${rng.pick(['open to a founding engineer role', 'happy to advise early teams', 'looking for a new challenge', 'not looking, but happy to talk'])} in ${c.city}.`,
    ].join(' ');
    return { headline, bio, tags: ['engineer', kind, c.sector.tag, ...stack.slice(0, 2).map((s) => s.toLowerCase())] };
  },

  designer(rng, c) {
    const kind = rng.pick(['product', 'brand', 'user experience', 'interaction', 'service']);
    const headline = rng.pick([
      `${rng.pick(['Lead', 'Senior', 'Head of', 'Founding'])} ${kind} designer${rng.chance(0.5) ? ` at ${c.company}` : ''}`,
      `Freelance ${kind} designer for ${c.sector.name} startups`,
    ]);
    const bio = [
      `${c.first} designs ${rng.pick(['simple products that people enjoy using', 'clear interfaces for complex tools', 'brands that feel human', 'mobile apps from idea to launch'])}.`,
      `${c.years} years of experience across ${c.sector.name} and ${c.second.name}, including work at ${c.past}.`,
      rng.pick([
        `Runs user research every week and believes good design starts with listening.`,
        `Built design systems used by teams of more than ${rng.int(20, 200)} people.`,
        `Teaches a design course in ${c.city} and writes about product craft.`,
      ]),
      `${rng.pick(['Open to working with early stage founders', 'Looking for a team with a clear mission', 'Available for short projects'])}.`,
    ].join(' ');
    return { headline, bio, tags: ['designer', kind, c.sector.tag, rng.pick(['research', 'design systems', 'branding', 'mobile'])] };
  },

  operator(rng, c) {
    const job = rng.pick([
      { title: 'Head of Growth', tag: 'growth', work: 'grew revenue through marketing, partnerships and product experiments' },
      { title: 'Chief Operating Officer', tag: 'operations', work: 'built the operations team and scaled the business across new markets' },
      { title: 'VP of Sales', tag: 'sales', work: 'built a sales team from the first hire to more than 40 people' },
      { title: 'Head of Product', tag: 'product', work: 'led product strategy and shipped features customers asked for' },
      { title: 'Head of People', tag: 'people', work: 'hired more than 100 people and built a strong remote culture' },
      { title: 'Chief Financial Officer', tag: 'finance', work: 'raised capital, set up reporting and prepared the company for growth' },
      { title: 'Head of Customer Success', tag: 'customer success', work: 'kept customers happy and cut churn in half' },
    ]);
    const headline = `${job.title} at ${c.company}`;
    const bio = [
      `${c.first} is ${job.title} at ${c.company}, a ${c.stage} company in ${c.sector.name}, based in ${c.city}.`,
      `Over ${c.years} years, at ${c.company} and before that at ${c.past}, ${c.first} ${job.work}.`,
      rng.pick([
        `Happy to share playbooks with founders going from ${c.stage} to the next stage.`,
        `Angel invests on the side in ${c.second.name}.`,
        `Interested in ${rng.pick(c.second.themes)} and in meeting other operators.`,
      ]),
    ].join(' ');
    return { headline, bio, tags: ['operator', job.tag, c.sector.tag, STAGE_TAG[c.stage]] };
  },

  researcher(rng, c) {
    const theme = rng.pick(c.sector.themes);
    const place = rng.pick(['a university', 'a public research lab', 'an industry lab', 'a hospital research group']);
    const headline = rng.pick([`Researcher in ${theme}`, `${rng.pick(['PhD student', 'Professor', 'Research scientist', 'Postdoc'])} working on ${theme}`]);
    const bio = [
      `${c.first} studies ${theme} at ${place} in ${c.city}.`,
      `Has published ${rng.int(5, 60)} papers and works with teams that turn research into products in ${c.sector.name}.`,
      rng.pick([
        `Thinking about starting a company and looking for a business co-founder.`,
        `Advises startups on ${rng.pick(c.sector.skills)} and loves hard technical problems.`,
        `Looking for industry partners to test new methods on real data.`,
      ]),
    ].join(' ');
    return { headline, bio, tags: ['researcher', c.sector.tag, rng.pick(c.sector.skills), 'deep tech'] };
  },

  advisor(rng, c) {
    const headline = rng.pick([
      `Startup advisor and former ${rng.pick(['founder', 'CEO', 'CTO', 'investor'])}`,
      `Board member and advisor to ${c.sector.name} companies`,
      `Mentor at a startup program in ${c.city}`,
    ]);
    const bio = [
      `${c.first} sold ${rng.pick(['a company', 'two companies', 'a small startup'])} in ${c.sector.name} and now advises ${rng.int(3, 12)} founders.`,
      `Helps with ${rng.sample(['fundraising', 'hiring', 'pricing', 'go to market', 'product strategy', 'board meetings', 'first sales'], 2).join(' and ')}.`,
      `Spent ${c.years} years at ${c.past} before that, and mentors founders in ${c.city} and online.`,
    ].join(' ');
    return { headline, bio, tags: ['advisor', 'mentor', c.sector.tag, c.second.tag] };
  },
};

/** Diligence and engagement with a real spread: most profiles middling, some sparse or very active. */
function scores(rng: Rng, role: RoleKind): { diligence: number; engagement: number } {
  const roleBias = role === 'investor' || role === 'founder' ? 0.05 : role === 'researcher' ? -0.05 : 0;
  const diligence = clamp01((rng.next() + rng.next() + rng.next()) / 3 + roleBias + (rng.next() - 0.5) * 0.3);
  // Engagement partly follows diligence (active people keep their profiles up to date), partly not.
  const engagement = clamp01(0.5 * diligence + 0.5 * rng.next() + (rng.next() - 0.5) * 0.2);
  return { diligence: round3(diligence), engagement: round3(engagement) };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
