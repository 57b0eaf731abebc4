/**
 * The dates task: a human-written date → ISO `YYYY-MM-DD`, character level (every character,
 * spaces included, is one token).
 *
 * Conventions, fixed for every example:
 * - years 1950–2049, real calendar dates only (Gregorian leap years);
 * - slash forms are month first (US): `05/03/1998`, `5/3/98` = 3 May 1998;
 * - dot forms with the year last are day first (European): `03.05.1998`, `3.5.98`;
 *   the dot form with the year first is year-month-day: `1998.05.03`;
 * - two-digit years: 50–99 → 1950–1999, 00–49 → 2000–2049 (exactly the year range);
 * - weekday names are the true weekday of the date.
 *
 * Each format is one example family; a family holds every date of the range once, so
 * (dates × formats) examples exist, all with different sources.
 */
import type { Example, ExampleFamily, TaskGrammar } from './types';

export interface CalendarDate {
  /** Year, e.g. 1998. */
  y: number;
  /** Month 1–12. */
  m: number;
  /** Day of the month 1–31. */
  d: number;
}

export const MIN_YEAR = 1950;
export const MAX_YEAR = 2049;

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
export const MONTH_ABBREVIATIONS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;
/** Monday first (index 0) … Sunday (index 6). */
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const WEEKDAY_ABBREVIATIONS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Every format, with the example it gives for Sunday 3 May 1998. */
export const DATE_FORMATS = [
  { id: 'compact', example: '19980503' },
  { id: 'us-slash', example: '05/03/1998' },
  { id: 'us-slash-short', example: '5/3/98' },
  { id: 'eu-dot', example: '03.05.1998' },
  { id: 'eu-dot-short', example: '3.5.98' },
  { id: 'ymd-dot', example: '1998.05.03' },
  { id: 'day-month-year', example: '3 May 1998' },
  { id: 'day-mon-yy-upper', example: '3 MAY 98' },
  { id: 'day-mon-year-dash', example: '03-May-1998' },
  { id: 'month-day-year', example: 'May 3, 1998' },
  { id: 'month-ordinal-lower', example: 'may 3rd 1998' },
  { id: 'ordinal-of-month', example: 'the 3rd of May 1998' },
  { id: 'weekday-mon-short', example: 'Sun 3 May 1998' },
  { id: 'weekday-long', example: 'Sunday, May 3, 1998' },
] as const;

export type DateFormatId = (typeof DATE_FORMATS)[number]['id'];
export const DATE_FORMAT_IDS: readonly DateFormatId[] = DATE_FORMATS.map((f) => f.id);

/** Formats whose day / month / year appear in the ISO order (year first); all others reorder. */
const YEAR_FIRST_FORMATS: ReadonlySet<DateFormatId> = new Set<DateFormatId>(['compact', 'ymd-dot']);

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** A real calendar date within MIN_YEAR..MAX_YEAR. */
export function isValidDate(date: CalendarDate): boolean {
  const { y, m, d } = date;
  return (
    Number.isInteger(y) &&
    Number.isInteger(m) &&
    Number.isInteger(d) &&
    y >= MIN_YEAR &&
    y <= MAX_YEAR &&
    m >= 1 &&
    m <= 12 &&
    d >= 1 &&
    d <= daysInMonth(y, m)
  );
}

/** Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil). */
export function daysSinceEpoch(date: CalendarDate): number {
  const y = date.m <= 2 ? date.y - 1 : date.y;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (date.m + (date.m > 2 ? -3 : 9)) + 2) / 5) + date.d - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Inverse of daysSinceEpoch (H. Hinnant's civil_from_days). */
export function dateFromDaysSinceEpoch(days: number): CalendarDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const d = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const m = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { y: yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const FIRST_DAY = daysSinceEpoch({ y: MIN_YEAR, m: 1, d: 1 });
/** How many dates lie in MIN_YEAR-01-01 .. MAX_YEAR-12-31 (36525). */
export const DATE_COUNT = daysSinceEpoch({ y: MAX_YEAR, m: 12, d: 31 }) - FIRST_DAY + 1;

/** The i-th date of the range, 0 = MIN_YEAR-01-01. */
export function dateAt(index: number): CalendarDate {
  if (!Number.isInteger(index) || index < 0 || index >= DATE_COUNT)
    throw new RangeError(`dateAt: index ${index} outside 0..${DATE_COUNT - 1}`);
  return dateFromDaysSinceEpoch(FIRST_DAY + index);
}

/** Weekday index, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
export function weekdayIndex(date: CalendarDate): number {
  return (((daysSinceEpoch(date) + 3) % 7) + 7) % 7;
}

export function weekdayName(date: CalendarDate): string {
  return WEEKDAY_NAMES[weekdayIndex(date)] as string;
}

/** Two-digit year → full year: 50–99 → 1950–1999, 00–49 → 2000–2049. */
export function expandTwoDigitYear(twoDigits: number): number {
  if (!Number.isInteger(twoDigits) || twoDigits < 0 || twoDigits > 99)
    throw new RangeError(`expandTwoDigitYear: ${twoDigits} is not 0..99`);
  return twoDigits >= 50 ? 1900 + twoDigits : 2000 + twoDigits;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 1 → '1st', 2 → '2nd', 3 → '3rd', 11 → '11th', 22 → '22nd'. */
export function ordinal(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** `YYYY-MM-DD`. */
export function toIsoDate(date: CalendarDate): string {
  return `${date.y}-${pad2(date.m)}-${pad2(date.d)}`;
}

/** Writes `date` in one of the human formats (see DATE_FORMATS for an example of each). */
export function formatDate(date: CalendarDate, formatId: DateFormatId): string {
  if (!isValidDate(date))
    throw new RangeError(`formatDate: ${JSON.stringify(date)} is not a valid date in ${MIN_YEAR}–${MAX_YEAR}`);
  const { y, m, d } = date;
  const yy = pad2(y % 100);
  const month = MONTH_NAMES[m - 1] as string;
  const mon = MONTH_ABBREVIATIONS[m - 1] as string;
  switch (formatId) {
    case 'compact':
      return `${y}${pad2(m)}${pad2(d)}`;
    case 'us-slash':
      return `${pad2(m)}/${pad2(d)}/${y}`;
    case 'us-slash-short':
      return `${m}/${d}/${yy}`;
    case 'eu-dot':
      return `${pad2(d)}.${pad2(m)}.${y}`;
    case 'eu-dot-short':
      return `${d}.${m}.${yy}`;
    case 'ymd-dot':
      return `${y}.${pad2(m)}.${pad2(d)}`;
    case 'day-month-year':
      return `${d} ${month} ${y}`;
    case 'day-mon-yy-upper':
      return `${d} ${mon.toUpperCase()} ${yy}`;
    case 'day-mon-year-dash':
      return `${pad2(d)}-${mon}-${y}`;
    case 'month-day-year':
      return `${month} ${d}, ${y}`;
    case 'month-ordinal-lower':
      return `${month.toLowerCase()} ${ordinal(d)} ${y}`;
    case 'ordinal-of-month':
      return `the ${ordinal(d)} of ${month} ${y}`;
    case 'weekday-mon-short':
      return `${WEEKDAY_ABBREVIATIONS[weekdayIndex(date)]} ${d} ${mon} ${y}`;
    case 'weekday-long':
      return `${weekdayName(date)}, ${month} ${d}, ${y}`;
  }
}

function dateExample(date: CalendarDate, formatId: DateFormatId): Example {
  return { source: formatDate(date, formatId).split(''), target: toIsoDate(date).split('') };
}

function dateFamily(formatId: DateFormatId): ExampleFamily {
  return {
    id: formatId,
    weight: 1,
    alignment: YEAR_FIRST_FORMATS.has(formatId) ? 'monotonic' : 'crossing',
    count: DATE_COUNT,
    at: (index) => dateExample(dateAt(index), formatId),
  };
}

function characterInventory(strings: Iterable<string>): string[] {
  const chars = new Set<string>();
  for (const s of strings) for (const ch of s) chars.add(ch);
  return [...chars].sort();
}

/** Every character any date source can contain: all formats over the whole year 2000 (every month, weekday, day and digit). */
function sourceCharacters(): string[] {
  const samples: string[] = [];
  const start = daysSinceEpoch({ y: 2000, m: 1, d: 1 });
  const end = daysSinceEpoch({ y: 2000, m: 12, d: 31 });
  for (let day = start; day <= end; day++) {
    const date = dateFromDaysSinceEpoch(day);
    for (const formatId of DATE_FORMAT_IDS) samples.push(formatDate(date, formatId));
  }
  return characterInventory(samples);
}

let cachedGrammar: TaskGrammar | null = null;

/** The dates task: one family per format, equal weights. */
export function datesGrammar(): TaskGrammar {
  cachedGrammar ??= {
    name: 'dates',
    level: 'char',
    families: DATE_FORMAT_IDS.map(dateFamily),
    sourceTokens: sourceCharacters(),
    targetTokens: characterInventory(['0123456789-']),
  };
  return cachedGrammar;
}
