/*
 * ESIA's own error codes, as the real service sends them: authorization errors redirect to the
 * system with `error`, `error_description: ESIA-0070xx: …` and `state`; token errors are HTTP 400
 * JSON `{error, error_description, state}`; the person REST API answers `{code, message}`.
 * English descriptions are what ESIA puts on the wire; Russian meanings are from the methodology
 * (the wording of ESIA's own table of ESIA-0070xx codes, as client libraries carry it). Imports
 * only the one error base (lib/errors.ts).
 */
import { CodedError } from '../../lib/errors.ts';

export interface EsiaCodeEntry {
  /** OAuth 2.0 `error` sent with it. */
  error: string;
  /** Text after `ESIA-0070xx: ` in error_description. */
  description: string;
  /** Meaning in Russian (developer page, diagnostics). */
  meaning: string;
  /**
   * Catalogue IDs of the source document (scenarios/cases.ts), as every error catalogue carries them;
   * [] for a mistake of the system's integration (signature, parameters, codes), which no case covers.
   */
  ids: readonly string[];
}

export const esiaCodes = {
  'ESIA-007002': {
    error: 'invalid_client',
    description: 'The client certificate does not match the client_id or is not registered for it.',
    meaning:
      'Несоответствие сертификата и мнемоники информационной системы или отсутствие сертификата для данной системы в ЕСИА',
    ids: [],
  },
  'ESIA-007003': {
    error: 'invalid_request',
    description:
      'The request is missing a required parameter, includes an invalid parameter value, or includes a parameter more than once.',
    meaning:
      'В запросе отсутствует обязательный параметр, запрос включает неверное значение параметра или включает параметр несколько раз',
    ids: [],
  },
  'ESIA-007004': {
    error: 'access_denied',
    description: 'The resource owner or authorization server denied the request.',
    meaning: 'Владелец ресурса или сервис авторизации отклонил запрос',
    ids: ['A1'],
  },
  'ESIA-007005': {
    error: 'unauthorized_client',
    description: 'The client is not authorized to request an access token using this method.',
    meaning: 'Система-клиент не имеет права запрашивать получение маркера доступа таким методом',
    ids: [],
  },
  'ESIA-007006': {
    error: 'invalid_scope',
    description: 'The requested scope is invalid, unknown, or malformed.',
    meaning: 'Запрошенная область доступа (scope) указана неверно, неизвестна или сформирована некорректно',
    ids: [],
  },
  'ESIA-007008': {
    error: 'temporarily_unavailable',
    description:
      'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
    meaning:
      'Сервис авторизации в настоящее время не может обработать запрос из-за большой нагрузки или технических работ на сервере',
    ids: ['E3'],
  },
  'ESIA-007009': {
    error: 'unsupported_grant_type',
    description: 'The authorization grant type is not supported by the authorization server.',
    meaning: 'Сервис авторизации не поддерживает получение маркера доступа этим методом',
    ids: [],
  },
  'ESIA-007011': {
    error: 'invalid_grant',
    description:
      'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    meaning:
      'Авторизационный код или маркер обновления недействителен, просрочен, отозван или не соответствует адресу ресурса, указанному в запросе на авторизацию, или был выдан другой системе-клиенту',
    ids: [],
  },
  'ESIA-007012': {
    error: 'unsupported_response_type',
    description: 'The authorization server does not support obtaining an authorization code using this method.',
    meaning: 'Тип авторизационного кода не поддерживается сервисом авторизации',
    ids: [],
  },
  'ESIA-007013': {
    error: 'invalid_scope',
    description: 'The request does not contain the scope.',
    meaning: 'Запрос не содержит указания на область доступа (scope)',
    ids: [],
  },
  'ESIA-007014': {
    error: 'invalid_request',
    description: "The request doesn't contain the mandatory parameter",
    meaning: 'Запрос не содержит обязательного параметра',
    ids: [],
  },
  'ESIA-007015': {
    error: 'invalid_request',
    description: 'The request time is invalid.',
    meaning: 'Неверное время запроса',
    ids: [],
  },
  'ESIA-007023': {
    error: 'invalid_request',
    description: 'The redirect_uri is not among the URIs allowed for the system.',
    meaning: 'Указанный в запросе <redirect_uri> отсутствует среди разрешенных для ИС',
    ids: [],
  },
  'ESIA-007039': {
    error: 'invalid_request',
    description: 'The code_challenge parameter was not specified in the initial request to /v2/ac.',
    meaning: 'В изначальном запросе на /v2/ac параметр <code_challenge> не был указан',
    ids: [],
  },
  'ESIA-007040': {
    error: 'invalid_grant',
    description: 'The code_verifier does not match the code_challenge.',
    meaning: 'Ошибка сравнения исходного и контрольного значений',
    ids: [],
  },
  'ESIA-007053': {
    error: 'access_denied',
    description: 'OAuthErrorEnum.clientSecretWrong',
    meaning:
      'client_secret сформирован некорректно: не соответствует строке-сертификату, информационной системе, или используемый сертификат не активен',
    ids: [],
  },
  'ESIA-007055': {
    error: 'access_denied',
    description: 'Login with an unconfirmed account.',
    meaning: 'Вход в систему осуществляется с неподтвержденной учетной записью',
    ids: ['B8'],
  },
} as const satisfies Record<string, EsiaCodeEntry>;

export type EsiaCode = keyof typeof esiaCodes;

/** Person REST API errors: all mistakes of the system's integration, so no case ID (see EsiaCodeEntry.ids). */
export const restCodes = {
  'ESIA-005011': {
    status: 401,
    message: 'SecurityErrorEnum.invalidToken',
    meaning: 'Маркер доступа недействителен (подпись, формат или отзыв)',
    ids: [],
  },
  'ESIA-005013': {
    status: 401,
    message: 'SecurityErrorEnum.expiredToken',
    meaning: 'Срок действия маркера доступа истёк',
    ids: [],
  },
  'ESIA-005029': {
    status: 403,
    message: 'SecurityErrorEnum.scopeNotAllowed',
    meaning: 'Маркер не даёт доступа к этим данным (нет нужной области доступа или чужой oid)',
    ids: [],
  },
} as const satisfies Record<string, { status: number; message: string; meaning: string; ids: readonly string[] }>;

export type RestCode = keyof typeof restCodes;

/** Where a refusal goes: back to the system's redirect_uri, a JSON answer (token endpoint), a page, or the REST API's `{code, message}`. */
export type Outcome =
  | { redirect: string; state?: string }
  | { json: true; state?: string }
  | { page: true }
  | { rest: true };

export function isRestCode(code: string): code is RestCode {
  return Object.hasOwn(restCodes, code);
}

/** What the error boundary needs to answer a refusal as the protocol expects at that point. */
export interface RefusalAnswer {
  endpoint: string;
  /** The request's parameters (for the diagnosis; client_id names the system in the journal). */
  params: Record<string, string>;
  outcome: Outcome;
}

/**
 * A refusal on the ESIA face. `diagnosis` says exactly what is wrong (never sent to the system,
 * only to the log, the audit journal and the developer page under the reference code). An endpoint
 * throws it with `at()`, naming where the answer goes; the error boundary answers it.
 */
export class EsiaProtocolError extends CodedError<EsiaCode | RestCode> {
  override name = 'EsiaProtocolError';
  constructor(
    code: EsiaCode | RestCode,
    readonly diagnosis: string,
    readonly evidence: Record<string, unknown> = {},
    /** Appended to the description in brackets, as ESIA does for 007014: "[client_certificate_hash]". */
    readonly parameter?: string,
  ) {
    super(code, `${code}: ${diagnosis}`, {
      status: isRestCode(code) ? restCodes[code].status : code === 'ESIA-007008' ? 503 : 400,
      details: { diagnosis, ...evidence },
    });
  }

  answer?: RefusalAnswer;

  /** This refusal, to be answered at `endpoint` as `outcome` says (thrown on to the error boundary). */
  at(endpoint: string, params: Record<string, string>, outcome: Outcome): this {
    this.answer = { endpoint, params, outcome };
    return this;
  }

  /** OAuth `error` (REST codes: the REST API's message). */
  get error(): string {
    return isRestCode(this.code) ? restCodes[this.code].message : esiaCodes[this.code].error;
  }

  get description(): string {
    const text = isRestCode(this.code) ? restCodes[this.code].message : esiaCodes[this.code].description;
    return `${this.code}: ${text}${this.parameter ? ` [${this.parameter}]` : ''}`;
  }
}
