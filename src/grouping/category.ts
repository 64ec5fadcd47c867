import type { StackFrame } from "./error-event.js";

/**
 * Error categories (the product specification's list): what kind of failure a bug is, derived
 * from its type, message, request status and frames. Pure and deterministic; a repository's
 * `categories.rules` in `.github/faultline.yml` win over it (applied by the caller).
 *
 * Every pattern here is a constant written for linear matching (alternations of literals,
 * bounded repeats, no nested quantifiers): the text they run on comes from anyone holding an
 * ingest key, and messages may be 8 KiB.
 */
export const CATEGORIES = [
  "network",
  "timeout",
  "database",
  "validation",
  "authentication",
  "authorisation",
  "not_found",
  "configuration",
  "resource_exhaustion",
  "external_service",
  "programming_error",
  "unknown",
] as const;

export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === "string" && (CATEGORIES as readonly string[]).includes(value);
}

export interface CategoryInput {
  errorType: string;
  message: string;
  /** The exceptions it was raised from, nearest first (ErrorEvent.causes). */
  causes?: readonly { type: string; message?: string | undefined }[] | undefined;
  /** The failed request's response status, when known. */
  statusCode?: number | undefined;
  /** Outermost first, the raising frame last (ErrorEvent order). */
  frames?: readonly StackFrame[] | undefined;
}

export interface DerivedCategory {
  category: Category;
  /** What decided it, for people: `status 404`, `error type matches "Timeout"`. */
  reason: string;
}

type Rule = readonly [Category, RegExp];

/**
 * Exception types that say what happened whatever the message, in priority order: the more
 * specific failure first (a `redis.exceptions.TimeoutError` is a timeout before it is a database
 * error; `ActiveRecord::RecordNotFound` is not found, not database; `ModuleNotFoundError` is
 * configuration, not "not found").
 */
const SPECIFIC_TYPES: readonly Rule[] = [
  [
    "resource_exhaustion",
    /OutOfMemory|MemoryError|StackOverflow|RecursionError|TooManyRequests|RateLimit|Throttl|QuotaExceeded|ResourceExhausted|InsufficientStorage|PoolExhausted|TooManyConnections/i,
  ],
  ["timeout", /Timeout|TimedOut|DeadlineExceeded/i],
  [
    "authentication",
    /Unauthori[sz]ed|Unauthenticated|NotAuthenticated|AuthenticationError|AuthenticationException|AuthenticationFailed|InvalidToken|ExpiredToken|TokenExpired|JsonWebTokenError|InvalidCredentials|BadCredentials|InvalidSignature/i,
  ],
  [
    "authorisation",
    /Forbidden|PermissionDenied|PermissionError|AccessDenied|NotAuthori[sz]ed|AuthorizationError|AuthorisationError|Unauthori[sz]edAccess|InsufficientPermissions|SecurityException/i,
  ],
  [
    "configuration",
    /ImproperlyConfigured|Config(?:uration)?Error|Config(?:uration)?Exception|MissingEnv|EnvError|ModuleNotFound|ImportError|LoadError|ClassNotFound|NoClassDefFound|MissingResource|BeanCreationException|NoSuchBeanDefinition/i,
  ],
  [
    "not_found",
    /NotFound|DoesNotExist|NoSuchKey|NoSuchBucket|NoResultFound|NoSuchEntity|Http404|RoutingError|ENOENT/i,
  ],
  [
    "validation",
    /Validation|Validator|ZodError|RecordInvalid|Unprocessable|BadRequest|InvalidInput|InvalidParameter|InvalidArgumentException|ParameterMissing|MethodArgumentNotValid|ConstraintViolationException|UnpermittedParameters|JSONDecodeError|SchemaError/i,
  ],
  [
    "database",
    /SQL|Sequelize|QueryFailed|Prisma|TypeORM|Knex|Mongo|Redis|Postgres|PG::|psycopg|pymysql|MySQL|Mysql2|SQLite|sqlalchemy|django\.db\.|ActiveRecord::|DataAccess|JDBC|Hibernate|Doctrine|IntegrityError|OperationalError|DatabaseError|DBError|Deadlock|UniqueViolation|ForeignKeyViolation|LockWait|Cassandra|Elasticsearch|DynamoDB|Memcache/i,
  ],
  [
    "network",
    /ConnectionError|ConnectError|ConnectException|ConnectionRefused|ConnectionReset|ConnectionAborted|ConnectionClosed|BrokenPipe|NetworkError|UnknownHost|NoRouteToHost|SocketException|SocketError|Errno::ECONN|Errno::EHOST|Errno::ENET|Errno::EPIPE|FetchError|SSLError|SSLException|CertificateError|HttpRequestException|gaierror|EAI_AGAIN/i,
  ],
  [
    "external_service",
    /Stripe|Twilio|SendGrid|Mailgun|Botocore|ClientError|AwsError|AmazonServiceException|GoogleAPI|HttpError|HTTPError|RequestError|ServiceUnavailable|BadGateway|UpstreamError|ApiError|APIError|ExternalService/i,
  ],
];

/** Response statuses of the failed request that say what happened. */
const STATUS: Readonly<Record<number, Category>> = {
  400: "validation",
  401: "authentication",
  403: "authorisation",
  404: "not_found",
  408: "timeout",
  410: "not_found",
  413: "validation",
  422: "validation",
  429: "resource_exhaustion",
  502: "external_service",
  503: "external_service",
  504: "timeout",
  507: "resource_exhaustion",
};

/** Messages, in priority order; the wording of runtimes, drivers and frameworks. */
const MESSAGES: readonly Rule[] = [
  [
    "resource_exhaustion",
    /out of memory|Allocation failed|Maximum call stack size exceeded|stack overflow|too much recursion|maximum recursion depth|EMFILE|too many open files|ENOSPC|no space left|disk (?:is )?full|quota exceeded|rate limit|too many requests|too many connections|too many clients|remaining connection slots|pool (?:is )?exhausted|QueuePool limit|connection pool/i,
  ],
  [
    "timeout",
    /timed? ?out|timeout|ETIMEDOUT|ESOCKETTIMEDOUT|deadline exceeded|took too long|operation was aborted due to timeout/i,
  ],
  [
    "database",
    /SQLSTATE|deadlock|duplicate key|violates (?:unique|foreign key|not-null|check) constraint|relation "[^"]{0,200}" does not exist|column "[^"]{0,200}" (?:of relation "[^"]{0,200}" )?does not exist|syntax error at or near|lock wait timeout|ER_[A-Z]{2,}|SQLITE_[A-Z]{2,}|ORA-\d{5}|database "[^"]{0,200}" does not exist|could not connect to server|connection to (?:the )?database|MongoServerError|E11000/i,
  ],
  [
    "network",
    /ECONNREFUSED|ECONNRESET|ECONNABORTED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|Failed to fetch|NetworkError|Network request failed|network error|Load failed|getaddrinfo|connection (?:refused|reset|aborted|closed)|could not resolve host|name or service not known|no route to host|network is unreachable|broken pipe|SSL|TLS handshake|certificate (?:has expired|verify failed)|self[- ]signed certificate/i,
  ],
  [
    "authentication",
    /unauthori[sz]ed|unauthenticated|not authenticated|authentication (?:failed|required)|invalid (?:credentials|token|api key|password|session)|bad credentials|jwt (?:expired|malformed|must be provided)|invalid signature|token (?:has )?expired|login required|session (?:has )?expired|not logged in/i,
  ],
  [
    "authorisation",
    /forbidden|permission denied|access denied|access is denied|not allowed to|not permitted|operation not permitted|insufficient (?:permissions|privileges|scope)|not authori[sz]ed to|does not have (?:permission|access)/i,
  ],
  [
    "configuration",
    /Cannot find module|No module named|ModuleNotFound|is not set|not configured|missing (?:required )?(?:environment variable|env var|config|configuration|setting|api key)|environment variable|ImproperlyConfigured|invalid configuration|configuration error|misconfigur|cannot load such file/i,
  ],
  [
    "not_found",
    /not found|does not exist|doesn't exist|no such (?:file|key|bucket|record|user|entity|route)|ENOENT|could not find|couldn't find|no route matches|\b404\b/i,
  ],
  [
    "validation",
    /validation (?:failed|error)|is (?:required|invalid|not valid|not a valid)|must be (?:a |an |one of|at least|at most|between|greater|less|provided|valid|present|unique)|invalid (?:input|value|argument|parameter|format|email|date|request|json|payload)|malformed|unprocessable|can't be blank|Unexpected token .{0,40} in JSON|Unexpected end of JSON input|not valid JSON/i,
  ],
  [
    "external_service",
    /bad gateway|service unavailable|upstream|status code 5\d\d|responded with (?:status )?5\d\d|returned (?:status )?5\d\d|third[- ]party|external (?:service|api)/i,
  ],
];

/** Types that are mistakes in the program itself: weaker than a message that says more. */
const PROGRAMMING_TYPES =
  /TypeError|ReferenceError|SyntaxError|NameError|AttributeError|KeyError|IndexError|ZeroDivision|NullPointer|NullReference|NoMethodError|NoSuchMethod|ClassCast|InvalidCast|IndexOutOfRange|IndexOutOfBounds|IllegalState|IllegalArgument|AssertionError|NotImplemented|UnboundLocal|ArgumentError|ArgumentException|ArgumentNull|ArgumentOutOfRange|KeyNotFound|InvalidOperation|UnsupportedOperation|ConcurrentModification|ArithmeticError|ArithmeticException|RangeError|FrozenError|NoMatchingPattern|UnhandledMatchError|DivisionByZero|Panic|runtime\.Error/i;

const PROGRAMMING_MESSAGES =
  /nil pointer|null pointer|undefined is not|is not a function|is not defined|is not a constructor|Cannot read propert|Cannot set propert|cannot access property|index out of range|out of bounds|division by zero|divide by zero|is not iterable|has no attribute|undefined method|undefined variable|undefined index|undefined offset|unsupported operand|assignment to entry in nil map|object of type .{0,60} has no len|not subscriptable|unhashable type/i;

/**
 * Paths and modules of drivers and clients, for an error raised inside one with a type and
 * message that say nothing (`Error: something went wrong` thrown by `node_modules/pg`).
 */
const FRAME_RULES: readonly Rule[] = [
  [
    "database",
    /node_modules\/(?:pg|pg-pool|mysql2?|mongodb|mongoose|redis|ioredis|sequelize|typeorm|knex|@prisma|better-sqlite3|sqlite3)\/|site-packages\/(?:psycopg2?|sqlalchemy|pymysql|pymongo|redis|asyncpg|django\/db)\/|gems\/(?:pg|mysql2|activerecord|sequel|redis|mongo)-|^(?:java\.sql|org\.hibernate|org\.postgresql|com\.mysql|org\.springframework\.jdbc|com\.zaxxer\.hikari)\.|Doctrine\/DBAL|Illuminate\/Database/i,
  ],
  [
    "external_service",
    /node_modules\/(?:axios|node-fetch|got|undici|superagent|@octokit|stripe|@aws-sdk|aws-sdk|@google-cloud|googleapis|twilio|@sendgrid)\/|site-packages\/(?:requests|urllib3|httpx|aiohttp|botocore|boto3|stripe|twilio|google\/cloud)\/|gems\/(?:faraday|httparty|rest-client|stripe|aws-sdk[\w-]{0,40}|excon)-|^(?:okhttp3|retrofit2|org\.apache\.http|com\.amazonaws|software\.amazon|com\.stripe)\.|GuzzleHttp\//i,
  ],
];

/** How many of the innermost frames the frame rules look at. */
const INNERMOST_FRAMES = 5;

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function firstMatch(rules: readonly Rule[], text: string) {
  for (const [category, pattern] of rules) {
    const match = pattern.exec(text);
    if (match) return { category, matched: match[0] };
  }
  return undefined;
}

/** The category of an error, and why. Pure; linear in the size of its input. */
export function deriveCategory(input: CategoryInput): DerivedCategory {
  const type = input.errorType ?? "";
  const message = input.message ?? "";

  const byType = firstMatch(SPECIFIC_TYPES, type);
  if (byType) {
    return { category: byType.category, reason: `type matches "${clip(byType.matched)}"` };
  }

  const status = input.statusCode;
  const byStatus = status === undefined ? undefined : STATUS[status];
  if (byStatus) return { category: byStatus, reason: `status ${status}` };

  const byMessage = firstMatch(MESSAGES, message);
  if (byMessage) {
    return { category: byMessage.category, reason: `message matches "${clip(byMessage.matched)}"` };
  }

  for (const cause of input.causes ?? []) {
    const found =
      firstMatch(SPECIFIC_TYPES, cause.type) ?? firstMatch(MESSAGES, cause.message ?? "");
    if (found) {
      return { category: found.category, reason: `caused by ${clip(cause.type)}` };
    }
  }

  const programmingType = PROGRAMMING_TYPES.exec(type);
  if (programmingType) {
    return { category: "programming_error", reason: `type matches "${programmingType[0]}"` };
  }
  const programmingMessage = PROGRAMMING_MESSAGES.exec(message);
  if (programmingMessage) {
    const matched = clip(programmingMessage[0]);
    return { category: "programming_error", reason: `message matches "${matched}"` };
  }
  // `CartError` raised from a `KeyError`: the mistake underneath.
  const programmingCause = input.causes?.find((c) => PROGRAMMING_TYPES.test(c.type));
  if (programmingCause) {
    return { category: "programming_error", reason: `caused by ${clip(programmingCause.type)}` };
  }

  const frames = input.frames ?? [];
  for (let i = frames.length - 1; i >= Math.max(0, frames.length - INNERMOST_FRAMES); i--) {
    const frame = frames[i];
    for (const place of [frame?.module, frame?.filename, frame?.absPath]) {
      if (!place) continue;
      const found = firstMatch(FRAME_RULES, place.replaceAll("\\", "/"));
      if (found) return { category: found.category, reason: `raised in ${clip(place)}` };
    }
  }
  return { category: "unknown", reason: "no built-in rule matched" };
}
