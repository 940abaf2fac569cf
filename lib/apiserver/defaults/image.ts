/**
 * The pull policy SetDefaults_Container gives an image (kubernetes pkg/apis/core/v1/defaults.go, via
 * pkg/util/parsers.ParseImageName and the distribution reference grammar): `Always` when the reference
 * parses and its tag is `latest`, or it has neither tag nor digest; `IfNotPresent` otherwise, including
 * references that do not parse (such as upper-case repository names).
 */

// The distribution/reference grammar (docker/distribution reference/regexp.go), anchored.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_TOTAL_LENGTH_MAX = 255;
const ANCHORED_ID = /^[a-f0-9]{64}$/;

export interface ParsedImage {
  tag: string;
  digest: string;
}

/** Tag and digest as ParseImageName returns them (`latest` when neither is given), or undefined if invalid. */
export function parseImageName(image: string): ParsedImage | undefined {
  if (ANCHORED_ID.test(image)) return undefined;
  const m = REFERENCE.exec(image);
  if (m === null) return undefined;
  const [, name, tag = '', digest = ''] = m;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return undefined;
  // ParseNormalizedNamed: the part before the first '/' is a domain only if it has '.' or ':' or is
  // localhost, or has upper case; a remainder that is a bare 64-hex id is refused.
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain =
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  const remainder = isDomain ? name.slice(slash + 1) : name;
  if (remainder.toLowerCase() !== remainder) return undefined;
  if (ANCHORED_ID.test(remainder)) return undefined;
  if (digest !== '' && !validDigest(digest)) return undefined;
  if (tag === '' && digest === '') return { tag: 'latest', digest: '' };
  return { tag, digest };
}

/** go-digest Validate for the registered algorithms (sha256 64 hex, sha384 96, sha512 128, lowercase). */
function validDigest(digest: string): boolean {
  const [algorithm, hex] = digest.split(':');
  const sizes: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  const size = sizes[algorithm];
  if (size === undefined) return false;
  return hex.length === size && /^[a-f0-9]+$/.test(hex);
}

export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const parsed = parseImageName(image);
  return parsed !== undefined && parsed.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
