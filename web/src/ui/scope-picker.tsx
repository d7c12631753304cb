import { loadContracts, loadTeams, type Contract, type Team } from '../api/directory';
import { t } from '../i18n/i18n';
import { setParams } from '../router';
import { Select } from './controls';
import { ErrorBanner, Loading } from './feedback';
import { useAsync } from './use-async';

/** The contract of a page (`?contract=`, default the first one the user manages), and its picker. */
export function useContract(url: URL) {
  const state = useAsync(loadContracts, []);
  const wanted = url.searchParams.get('contract');
  const contracts = state.data ?? [];
  const current = contracts.find((c) => c.contractNumber === wanted) ?? contracts[0];
  return { state, contracts, current };
}

export function ContractPicker({ contracts, current }: { readonly contracts: readonly Contract[]; readonly current: Contract | undefined }) {
  return (
    <Select label={t('picker.contract')} name="contract" value={current?.contractNumber ?? ''}
      options={contracts.map((c) => ({ value: c.contractNumber, label: `${c.contractName} (${c.contractNumber})` }))}
      onChange={(contract) => setParams({ contract, product: undefined, user: undefined, page: undefined })} />
  );
}

/** The team of a page (`?team=`); `allowAll` adds "every team" (the empty value). */
export function useTeam(url: URL, allowAll = false) {
  const state = useAsync(loadTeams, []);
  const wanted = url.searchParams.get('team') ?? '';
  const teams = state.data ?? [];
  const current = teams.find((team) => team.contextId === wanted) ?? (allowAll ? undefined : teams[0]);
  return { state, teams, current };
}

export function TeamPicker({ teams, current, allowAll = false }: { readonly teams: readonly Team[]; readonly current: Team | undefined; readonly allowAll?: boolean }) {
  return (
    <Select label={t('picker.team')} name="team" value={current?.contextId ?? ''}
      options={[...(allowAll ? [{ value: '', label: t('picker.allTeams') }] : []), ...teams.map((team) => ({ value: team.contextId, label: team.alias }))]}
      onChange={(team) => setParams({ team: team || undefined, product: undefined, user: undefined, page: undefined })} />
  );
}

/** What a page shows before its picker has anything to pick. */
export function PickerGate({ state, empty }: { readonly state: { readonly error: Error | undefined; readonly loading: boolean }; readonly empty: string }) {
  if (state.error) return <ErrorBanner error={state.error} />;
  if (state.loading) return <Loading />;
  return <p class="empty">{empty}</p>;
}
