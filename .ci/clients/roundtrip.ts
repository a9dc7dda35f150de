// A round trip through the TypeScript client that @hey-api/openapi-ts generates from
// openapi/openapi.json, as an integrator would write it. The types do the checking at compile
// time (tsc --strict): a request field or value the document does not allow, or a response
// field it does not type, is a compile error here, as it would be for an integrator. The same
// facts are checked again on the live responses at run time.
//
// Run by .ci/conformance, next to the generated client (./client), against a live service
// holding the demo data: DEVFUND_URL=... DEVFUND_TOKEN=<admin token> node out/roundtrip.js

import { client } from './client/client.gen';
import {
  allocationReport,
  coverageReport,
  createProject,
  getProject,
  leverageReport,
  listProjects,
  portfolioReport,
  updateProject,
} from './client';
import type { CoverageReportData, ListProjectsData, PortfolioReportData } from './client';

const BASE_URL = process.env.DEVFUND_URL ?? 'http://127.0.0.1:8080';
const TOKEN = process.env.DEVFUND_TOKEN ?? '';

// The bearer token goes where the document's security requirements say it goes.
client.setConfig({ baseUrl: BASE_URL, auth: () => TOKEN });

// The demo's Line 2 projects (data/demo/booklet_projects.json).
const DEMO_LINE_2 = ['PO.0141', 'MA.1147', 'IB.0123', 'PR.0135', 'CE.0411', 'CT.0921'];

class Failed extends Error {}

// A query filter, for whichever way the document declares it: a plain (or enum) string, or a
// list (API.md: comma-separated values mean OR). The value itself is checked against the
// generated element type; a one-item list and a plain value serialize alike (`name=value`).
type Elem<T> = T extends readonly (infer U)[] ? U : T;
function filter<T>(value: Elem<NonNullable<T>>): T {
  return [value] as unknown as T;
}
type Query<D extends { query?: unknown }> = NonNullable<D['query']>;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failed(message);
}

type Outcome = { data?: unknown; error?: unknown; response?: Response };

async function expectStatus<T extends Outcome>(call: Promise<T>, status: number, what: string): Promise<T> {
  const out = await call;
  const got = out.response?.status;
  check(got === status, `${what}: HTTP ${got}, expected ${status}: ${JSON.stringify(out.error ?? out.data)?.slice(0, 300)}`);
  return out;
}

function problemCode(out: Outcome, code: string, what: string): void {
  const ct = out.response?.headers.get('content-type') ?? '';
  check(ct.startsWith('application/problem+json'), `${what}: content type ${ct}`);
  const err = out.error as { code?: unknown } | undefined;
  check(err?.code === code, `${what}: problem code ${JSON.stringify(err?.code)}, expected ${code}`);
}

const state: { code?: string; etag?: string } = {};

async function listWithFilter(): Promise<string> {
  const { data } = await expectStatus(listProjects({ query: { funding_line: filter<Query<ListProjectsData>['funding_line']>('line_2') } }), 200, 'GET /projects?funding_line=line_2');
  check(data, 'no body');
  const lines = new Set(data.items.map((p) => p.funding_line));
  check(lines.size === 1 && lines.has('line_2'), `funding_line values ${[...lines]}, expected only line_2`);
  const codes = new Set(data.items.map((p) => p.code));
  const missing = DEMO_LINE_2.filter((c) => !codes.has(c));
  check(missing.length === 0, `the demo's Line 2 projects missing: ${missing}`);
  check(data.meta.total === data.items.length, `meta.total ${data.meta.total} != ${data.items.length} items`);
  return `${data.items.length} projects`;
}

async function getOne(): Promise<string> {
  const { data: p, response } = await expectStatus(getProject({ path: { code: 'MA.1147' } }), 200, 'GET /projects/MA.1147');
  check(p, 'no body');
  const line: 'line_1' | 'line_2' = p.funding_line;
  const scope: 'national' | 'regional' | 'global' = p.scope;
  check(p.code === 'MA.1147', `code ${p.code}`);
  check(line === 'line_2', `funding_line ${line}`);
  check(scope === 'national', `scope ${scope}`);
  check(p.member_states.map((s) => s.iso3).join() === 'NPL', `member_states ${JSON.stringify(p.member_states)}`);
  check(p.budget.currency === 'USD', `budget ${JSON.stringify(p.budget)}`);
  check(response?.headers.get('etag'), 'no ETag header');
  return `${p.code} ${p.status} ${p.budget.amount} ${p.budget.currency}`;
}

async function create(): Promise<string> {
  const code = `TS.${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
  const { data: p, response } = await expectStatus(
    createProject({
      body: {
        code,
        title: 'Conformance round trip (TypeScript client)',
        funding_line: 'line_1',
        funding_year: 2026,
        scope: 'national',
        budget: { amount: '100000.00', currency: 'USD' },
        staff_office_share: '0.25',
        member_states: [{ iso3: 'NPL' }],
        sdg_targets: ['10.7', '8.8'],
      },
    }),
    201,
    `POST /projects ${code}`,
  );
  check(p, 'no body');
  check(p.code === code, `code ${p.code}`);
  check(p.status === 'draft', `status ${p.status}`);
  check(p.funding_line === 'line_1', `funding_line ${p.funding_line}`);
  check([...(p.sdg_targets ?? [])].sort().join() === '10.7,8.8', `sdg_targets ${p.sdg_targets}`);
  const etag = response?.headers.get('etag');
  check(etag, 'no ETag header on 201');
  state.code = code;
  state.etag = etag;
  return `${code} created, ETag ${etag}`;
}

async function patch(): Promise<string> {
  const { code, etag } = state;
  check(code && etag, 'no project created by the previous step');
  const title = 'Conformance round trip (TypeScript client), patched';
  const { data: p, response } = await expectStatus(
    updateProject({ path: { code }, headers: { 'If-Match': etag }, body: { title, summary: 'A merge patch.' } }),
    200,
    `PATCH /projects/${code}`,
  );
  check(p, 'no body');
  check(p.title === title, `title ${p.title}`);
  check(p.summary === 'A merge patch.', `summary ${p.summary}`);
  const newEtag = response?.headers.get('etag');
  check(newEtag && newEtag !== etag, `ETag ${newEtag} after the patch (before: ${etag})`);
  // The old ETag is stale now.
  const stale = await expectStatus(
    updateProject({ path: { code }, headers: { 'If-Match': etag }, body: { title: 'stale' } }),
    412,
    'PATCH with a stale If-Match',
  );
  problemCode(stale, 'precondition_failed', 'PATCH with a stale If-Match');
  return `title patched, ETag ${etag} -> ${newEtag}; stale If-Match -> 412`;
}

async function unprocessable(): Promise<string> {
  const out = await expectStatus(
    createProject({
      body: {
        code: 'not a code',
        title: 'Invalid',
        funding_line: 'line_1',
        funding_year: 2026,
        scope: 'national',
        budget: { amount: '1.00', currency: 'USD' },
        member_states: [{ iso3: 'NPL' }],
      },
    }),
    422,
    'POST /projects with an invalid code',
  );
  problemCode(out, 'validation_failed', 'POST /projects with an invalid code');
  const errors = out.error?.errors ?? [];
  check(errors.some((e) => e.field === 'code'), `errors ${JSON.stringify(errors)} do not name code`);
  return '422 validation_failed, errors name `code`';
}

async function notFound(): Promise<string> {
  const out = await expectStatus(getProject({ path: { code: 'ZZ.0000' } }), 404, 'GET /projects/ZZ.0000');
  problemCode(out, 'not_found', 'GET /projects/ZZ.0000');
  check(out.error?.status === 404, `problem status ${out.error?.status}`);
  return '404 not_found';
}

function key(row: object, name: string): unknown {
  return Object.entries(row).find(([k]) => k === name)?.[1];
}

async function portfolio(): Promise<string> {
  const { data: rep } = await expectStatus(
    portfolioReport({
      query: {
        group_by: filter<Query<PortfolioReportData>['group_by']>('region'),
        funding_line: filter<Query<PortfolioReportData>['funding_line']>('line_2'),
      },
    }),
    200,
    'GET /reports/portfolio?group_by=region&funding_line=line_2',
  );
  check(rep, 'no body');
  const ap = rep.rows.find((r) => key(r, 'region') === 'AP');
  check(ap, `no AP row: ${JSON.stringify(rep.rows.map((r) => key(r, 'region')))}`);
  // The README's figures for the demo data.
  check(ap.follow_up_usd.amount === '16000000.00', `AP follow_up_usd ${JSON.stringify(ap.follow_up_usd)}`);
  check(ap.leverage === '24.62', `AP leverage ${ap.leverage}`);
  check(typeof rep.totals.projects === 'number', `totals ${JSON.stringify(rep.totals)}`);
  return `${rep.rows.length} rows; AP follow-up ${ap.follow_up_usd.amount}, leverage ${ap.leverage}`;
}

async function leverage(): Promise<string> {
  const { data: rep } = await expectStatus(leverageReport({}), 200, 'GET /reports/leverage');
  check(rep, 'no body');
  const first = rep.projects[0];
  check(first, 'no projects ranked');
  const amount: string = first.follow_up_usd.amount;
  const ratio: string | null | undefined = first.leverage;
  check(Array.isArray(rep.by_source_type), 'by_source_type');
  return `${rep.projects.length} projects, first ${first.code} (${amount} USD, leverage ${ratio})`;
}

async function allocation(): Promise<string> {
  const { data: rep } = await expectStatus(allocationReport({ query: { year: 2026 } }), 200, 'GET /reports/allocation?year=2026');
  check(rep, 'no body');
  const year: number = rep.year;
  check(year === 2026, `year ${year}`);
  const lines = rep.lines.map((l) => l.funding_line).sort();
  check(lines.join() === 'line_1,line_2', `lines ${lines}`);
  check(Array.isArray(rep.regions), 'regions');
  return `lines ${lines}`;
}

async function coverage(): Promise<string> {
  const { data: rep } = await expectStatus(coverageReport({ query: { framework: filter<Query<CoverageReportData>['framework']>('sdg') } }), 200, 'GET /reports/coverage?framework=sdg');
  check(rep, 'no body');
  check(rep.framework === 'sdg', `framework ${rep.framework}`);
  const codes = rep.elements.map((e) => e.code);
  check(codes.includes('10.7'), `10.7 not among ${codes.length} elements`);
  return `${rep.elements.length} elements`;
}

const STEPS: Array<[string, () => Promise<string>]> = [
  ['list projects (funding_line=line_2)', listWithFilter],
  ['get one project', getOne],
  ['create a project', create],
  ['patch it with If-Match (merge patch)', patch],
  ['422 problem', unprocessable],
  ['404 problem', notFound],
  ['report: portfolio', portfolio],
  ['report: leverage', leverage],
  ['report: allocation', allocation],
  ['report: coverage', coverage],
];

async function main(): Promise<number> {
  let failed = 0;
  for (const [name, step] of STEPS) {
    try {
      console.log(`PASS ${name}: ${await step()}`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${name}: ${e instanceof Failed ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  console.log(`roundtrip.ts: ${STEPS.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code));
