import { useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import type { Cell } from '../../api/queries';
import { formatBytes, formatNumber, t } from '../../i18n/i18n';
import { Tabs, TextInput, Tiles } from '../../ui/controls';
import { DataTable, type Column } from '../../ui/data-table';
import { ErrorBanner, Loading, Section } from '../../ui/feedback';
import { useAsync } from '../../ui/use-async';
import { importUsage, loadAll, saveContract, saveProduct, saveTeam, type AdminList, type ImportOutcome, type ImportProgress } from './admin-data';
import { EntityForm, type FieldSpec } from './entity-form';

const TABS = ['users', 'clients', 'teams', 'contracts', 'products', 'import'] as const;
type Row = Record<string, Cell | readonly unknown[]>;
const joined = (key: string) => (row: Row) => (Array.isArray(row[key]) ? (row[key] as unknown[]).join(', ') : String(row[key] ?? '–'));

/** Administration, for the admin role (issue 18, page 6). */
export function AdminPage({ url, isAdmin }: { readonly url: URL; readonly isAdmin: boolean | undefined }) {
  const tab = (TABS as readonly string[]).includes(url.searchParams.get('tab') ?? '') ? url.searchParams.get('tab')! : 'users';
  if (isAdmin === undefined) return <Loading />;
  if (!isAdmin) return <><h1>{t('page.admin')}</h1><p class="error-text" role="alert">{t('admin.forbidden')}</p></>;
  return (
    <>
      <h1>{t('page.admin')}</h1>
      <Tabs label={t('page.admin')} current={tab} tabs={TABS.map((value) => ({ value, label: t(`admin.tab.${value}`) }))} />
      <div role="tabpanel" aria-labelledby={`tab-tab-${tab}`}>
        {tab === 'users' && <Users />}
        {tab === 'clients' && <Clients />}
        {tab === 'teams' && <Teams />}
        {tab === 'contracts' && <Contracts />}
        {tab === 'products' && <Products />}
        {tab === 'import' && <Import />}
      </div>
    </>
  );
}

/**
 * An admin list with its create form above and, for the row picked with its Edit button, an edit
 * form below the table (PATCH with only what changed).
 */
function EditableList({ path, caption, columns, fields, newTitle, keyOf, nameOf, save }: {
  readonly path: AdminList; readonly caption: string; readonly columns: readonly Column<Row & Record<string, Cell>>[];
  readonly fields: readonly FieldSpec[]; readonly newTitle: string;
  readonly keyOf: (row: Row) => string; readonly nameOf: (row: Row) => string;
  readonly save: (row: Row | undefined, body: Record<string, unknown>) => Promise<string>;
}) {
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<Row | undefined>(undefined);
  const after = async (run: Promise<string>) => {
    const name = await run;
    setReload((n) => n + 1);
    return name;
  };
  return (
    <>
      <EntityForm title={newTitle} fields={fields} onSubmit={(body) => after(save(undefined, body))} />
      <List path={path} caption={caption} reloadKey={reload} columns={[...columns, {
        key: 'edit', label: t('admin.edit'), render: (row) => (
          <button type="button" class="secondary" aria-label={t('admin.editFor', { name: nameOf(row) })} onClick={() => setEditing(row)}>{t('admin.edit')}</button>
        ),
      }]} />
      {editing && (
        <EntityForm key={keyOf(editing)} title={t('admin.editTitle', { name: nameOf(editing) })} fields={fields} row={editing}
          onSubmit={(body) => after(save(editing, body))} onCancel={() => setEditing(undefined)} />
      )}
    </>
  );
}

function Teams() {
  return (
    <EditableList path="/admin/v1/teams" caption={t('admin.tab.teams')} newTitle={t('admin.newTeam')}
      keyOf={(r) => String(r.teamId)} nameOf={(r) => String(r.name)}
      save={(row, body) => saveTeam(row ? String(row.teamId) : undefined, body)}
      fields={[
        { key: 'teamId', label: t('admin.optionalId'), kind: 'text', createOnly: true },
        { key: 'name', label: t('col.name'), kind: 'text' },
        { key: 'personalData', label: t('col.personalData'), kind: 'checkbox', hint: t('admin.personalDataHint') },
      ]}
      columns={[
        { key: 'teamId', label: t('col.teamId'), kind: 'text' }, { key: 'name', label: t('col.name'), kind: 'text' },
        { key: 'personalData', label: t('col.personalData'), kind: 'text', render: (r) => (r.personalData === false ? t('state.no') : t('state.yes')) },
        { key: 'administrators', label: t('col.administrators'), kind: 'number', render: (r) => formatNumber((r.administrators as unknown as unknown[]).length) },
        { key: 'members', label: t('col.members'), kind: 'number', render: (r) => formatNumber((r.members as unknown as unknown[]).length) },
      ]} />
  );
}

function Contracts() {
  const teams = useAsync(() => loadAll('/admin/v1/teams'), []);
  return (
    <EditableList path="/admin/v1/contracts" caption={t('admin.tab.contracts')} newTitle={t('admin.newContract')}
      keyOf={(r) => String(r.contractNumber)} nameOf={(r) => `${String(r.contractName)} (${String(r.contractNumber)})`}
      save={(row, body) => saveContract(row ? String(row.contractNumber) : undefined, body)}
      fields={[
        { key: 'contractNumber', label: t('col.contractNumber'), kind: 'text', createOnly: true },
        { key: 'contractName', label: t('col.name'), kind: 'text' },
        { key: 'teamId', label: t('picker.team'), kind: 'select', options: [{ value: '', label: '–' }, ...(teams.data ?? []).map((team) => ({ value: String(team.teamId), label: `${String(team.name)} (${String(team.teamId)})` }))] },
        { key: 'contractStartDate', label: t('col.startDate'), kind: 'date' },
        { key: 'contractEndDate', label: t('col.endDate'), kind: 'date' },
        { key: 'multiyearProvisionedTokens', label: t('tokens.myProvisioned'), kind: 'number' },
        { key: 'contractYears', label: t('admin.contractYears'), kind: 'years' },
      ]}
      columns={[
        { key: 'contractNumber', label: t('col.contractNumber'), kind: 'text' }, { key: 'contractName', label: t('col.name'), kind: 'text' },
        { key: 'teamId', label: t('col.teamId'), kind: 'text' }, { key: 'contractStartDate', label: t('col.startDate'), kind: 'date' },
        { key: 'contractEndDate', label: t('col.endDate'), kind: 'date' }, { key: 'multiyearProvisionedTokens', label: t('tokens.myProvisioned'), kind: 'number' },
      ]} />
  );
}

function Products() {
  return (
    <EditableList path="/admin/v1/products" caption={t('admin.tab.products')} newTitle={t('admin.newProduct')}
      keyOf={(r) => `${String(r.productLineCode)}/${String(r.version)}`} nameOf={(r) => `${String(r.productName)} ${String(r.version)}`}
      save={(row, body) => saveProduct(row ? { productLineCode: String(row.productLineCode), version: String(row.version) } : undefined, body)}
      fields={[
        { key: 'productLineCode', label: t('col.productLineCode'), kind: 'text', createOnly: true },
        { key: 'version', label: t('col.version'), kind: 'text', createOnly: true },
        { key: 'productName', label: t('col.productName'), kind: 'text' },
        { key: 'featureCode', label: t('col.featureCode'), kind: 'text' },
        { key: 'dailyTokenRate', label: t('col.dailyTokenRate'), kind: 'number' },
        { key: 'seatTokensPerYear', label: t('col.seatTokensPerYear'), kind: 'number', nullable: true },
        { key: 'effectiveFrom', label: t('col.startDate'), kind: 'date', nullable: true },
        { key: 'effectiveTo', label: t('col.effectiveTo'), kind: 'date', nullable: true },
      ]}
      columns={[
        { key: 'productLineCode', label: t('col.productLineCode'), kind: 'text' }, { key: 'productName', label: t('col.productName'), kind: 'text' },
        { key: 'version', label: t('col.version'), kind: 'text' }, { key: 'featureCode', label: t('col.featureCode'), kind: 'text' },
        { key: 'dailyTokenRate', label: t('col.dailyTokenRate'), kind: 'number' },
        { key: 'seatTokensPerYear', label: t('col.seatTokensPerYear'), kind: 'number' },
        { key: 'effectiveFrom', label: t('col.startDate'), kind: 'date' }, { key: 'effectiveTo', label: t('col.effectiveTo'), kind: 'date' },
      ]} />
  );
}

function List({ path, caption, columns, reloadKey = 0 }: { readonly path: AdminList; readonly caption: string; readonly columns: readonly Column<Row & Record<string, Cell>>[]; readonly reloadKey?: number }) {
  const list = useAsync(() => loadAll(path), [path, reloadKey]);
  return (
    <Section state={list} isEmpty={(rows) => rows.length === 0} onRetry={list.reload}>
      {(rows) => <DataTable caption={caption} rows={rows as (Row & Record<string, Cell>)[]} columns={columns} />}
    </Section>
  );
}

function Users() {
  const [reload, setReload] = useState(0);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [done, setDone] = useState('');
  return (
    <>
      <form class="inline-form" aria-labelledby="new-user" onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        setDone('');
        try {
          await must(api.POST('/admin/v1/users', { body: { email, name, roles: admin ? ['admin'] : [], ...(password ? { password } : {}) } }));
          setDone(t('admin.userCreated', { email }));
          setEmail(''); setName(''); setPassword('');
          setReload((n) => n + 1);
        } catch (failure) {
          setError(failure as Error);
        }
      }}>
        <h2 id="new-user">{t('admin.newUser')}</h2>
        <TextInput label={t('col.email')} type="email" value={email} onInput={setEmail} />
        <TextInput label={t('col.name')} value={name} onInput={setName} />
        <TextInput label={t('admin.password')} type="password" value={password} onInput={setPassword} />
        <label class="check"><input type="checkbox" checked={admin} onChange={() => setAdmin(!admin)} />{t('admin.adminRole')}</label>
        <button type="submit">{t('action.create')}</button>
        {done && <p role="status">{done}</p>}
        <ErrorBanner error={error} />
      </form>
      <List path="/admin/v1/users" caption={t('admin.tab.users')} reloadKey={reload} columns={[
        { key: 'email', label: t('col.email'), kind: 'text' }, { key: 'fullName', label: t('col.fullName'), kind: 'text' },
        { key: 'userName', label: t('col.userName'), kind: 'text' }, { key: 'status', label: t('col.status'), kind: 'text' },
        { key: 'roles', label: t('col.roles'), kind: 'text', render: joined('roles') },
      ]} />
    </>
  );
}

/** A secret as the API shows it: once. */
function SecretOnce({ clientId, secret }: { readonly clientId: string; readonly secret: string }) {
  return (
    <div class="secret" role="status">
      <p>{t('admin.secretOnce', { clientId })}</p>
      <code data-secret>{secret}</code>
    </div>
  );
}

function Clients() {
  const [reload, setReload] = useState(0);
  const [name, setName] = useState('');
  const [redirects, setRedirects] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [secret, setSecret] = useState<{ clientId: string; secret: string } | undefined>(undefined);
  const [created, setCreated] = useState('');
  const rotate = async (clientId: string) => {
    setError(undefined);
    try {
      const answer = await must(api.POST('/admin/v1/clients/{clientId}/secret', { params: { path: { clientId } } })) as { clientSecret: string };
      setSecret({ clientId, secret: answer.clientSecret });
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <>
      <form class="inline-form" aria-labelledby="new-client" onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        setSecret(undefined);
        setCreated('');
        try {
          const answer = await must(api.POST('/admin/v1/clients', {
            body: { name, isPublic, redirectUris: redirects.split(/[\s,]+/).filter(Boolean) },
          })) as { clientId: string; clientSecret?: string };
          if (answer.clientSecret) setSecret({ clientId: answer.clientId, secret: answer.clientSecret });
          else setCreated(t('admin.clientCreated', { clientId: answer.clientId }));
          setName(''); setRedirects('');
          setReload((n) => n + 1);
        } catch (failure) {
          setError(failure as Error);
        }
      }}>
        <h2 id="new-client">{t('admin.newClient')}</h2>
        <TextInput label={t('col.name')} value={name} onInput={setName} />
        <TextInput label={t('admin.redirectUris')} value={redirects} onInput={setRedirects} />
        <label class="check"><input type="checkbox" checked={isPublic} onChange={() => setPublic(!isPublic)} />{t('admin.publicClient')}</label>
        <button type="submit">{t('action.create')}</button>
        {created && <p role="status">{created}</p>}
      </form>
      {secret && <SecretOnce clientId={secret.clientId} secret={secret.secret} />}
      <ErrorBanner error={error} />
      <List path="/admin/v1/clients" caption={t('admin.tab.clients')} reloadKey={reload} columns={[
        { key: 'name', label: t('col.name'), kind: 'text' }, { key: 'clientId', label: t('col.clientId'), kind: 'text' },
        { key: 'isPublic', label: t('admin.publicClient'), kind: 'text', render: (r) => (r.isPublic ? t('state.yes') : t('state.no')) },
        { key: 'redirectUris', label: t('admin.redirectUris'), kind: 'text', render: joined('redirectUris') },
        { key: 'rotate', label: t('admin.secret'), render: (r) => r.isPublic ? '–' : (
          <button type="button" class="secondary" aria-label={t('admin.rotateFor', { name: String(r.name) })} onClick={() => void rotate(String(r.clientId))}>{t('admin.rotate')}</button>
        ) },
      ]} />
    </>
  );
}

function Import() {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [dryRun, setDryRun] = useState(false);
  const [contract, setContract] = useState('');
  const [progress, setProgress] = useState<ImportProgress | undefined>(undefined);
  const [outcome, setOutcome] = useState<ImportOutcome | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form class="inline-form" aria-labelledby="import-title" onSubmit={async (event) => {
        event.preventDefault();
        if (!file) return;
        setBusy(true);
        setOutcome(undefined);
        setProgress({ sent: 0, total: file.size });
        setOutcome(await importUsage(file, { dryRun, contract }, setProgress));
        setBusy(false);
      }}>
        <h2 id="import-title">{t('admin.importTitle')}</h2>
        <p class="hint">{t('admin.importHint')}</p>
        <div class="control">
          <label for="import-file">{t('admin.file')}</label>
          <input id="import-file" type="file" accept=".csv,.ndjson,.jsonl,.gz" onChange={(event) => setFile((event.target as HTMLInputElement).files?.[0])} />
        </div>
        <TextInput label={t('admin.defaultContract')} value={contract} onInput={setContract} />
        <label class="check"><input type="checkbox" checked={dryRun} onChange={() => setDryRun(!dryRun)} />{t('admin.dryRun')}</label>
        <button type="submit" disabled={!file || busy}>{t('admin.import')}</button>
      </form>
      {progress && (
        <div class="progress-block">
          <label for="import-progress">{t('admin.uploaded', { sent: formatBytes(progress.sent), total: formatBytes(progress.total) })}</label>
          <progress id="import-progress" max={Math.max(1, progress.total)} value={progress.sent} />
          {busy && progress.sent >= progress.total && <p role="status">{t('admin.rating')}</p>}
        </div>
      )}
      {outcome?.ok === true && (
        <div role="status" data-import="ok">
          <Tiles label={t('admin.importResult')} figures={[
            { id: 'import-records', label: t('admin.records'), value: formatNumber(outcome.records) },
            { id: 'import-inserted', label: t('admin.inserted'), value: formatNumber(outcome.inserted) },
            { id: 'import-duplicates', label: t('admin.duplicates'), value: formatNumber(outcome.duplicates) },
            { id: 'import-rated', label: t('admin.rated'), value: formatNumber(outcome.rated) },
          ]} />
          {outcome.dryRun && <p>{t('admin.dryRunDone')}</p>}
        </div>
      )}
      {outcome?.ok === false && (
        <div class="error-banner" role="alert" data-import="refused">
          <p>{outcome.message}</p>
          {outcome.errors.length > 0 && (
            <DataTable id="import-errors" caption={t('admin.importErrors')} rows={outcome.errors.map((e) => ({ line: e.line ?? null, field: e.field ?? null, message: e.message }))}
              columns={[
                { key: 'line', label: t('col.line'), kind: 'number' }, { key: 'field', label: t('col.field'), kind: 'text' },
                { key: 'message', label: t('col.message'), kind: 'text' },
              ]} />
          )}
          {outcome.errorCount !== undefined && outcome.errorCount > outcome.errors.length && <p>{t('admin.moreErrors', { count: outcome.errorCount - outcome.errors.length })}</p>}
        </div>
      )}
    </>
  );
}
