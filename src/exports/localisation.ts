/** Languages EXCEL output is localised into (spec §3.4); anything else falls back to English. */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Picks the first supported language of an `Accept-Language` header, honouring q-values. */
export function pickLanguage(header: string | undefined): Language {
  if (!header) return 'en';
  const ranked = header.split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((item) => item.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked.map((item) => item.base).find((base) => (LANGUAGES as readonly string[]).includes(base)) as Language | undefined) ?? 'en';
}

type Labels = readonly [en: string, de: string, fr: string, es: string, ja: string];

/** Column headers of EXCEL reports, by column key. */
const HEADERS: Readonly<Record<string, Labels>> = {
  teamId: ['Team ID', 'Team-ID', 'ID d’équipe', 'ID de equipo', 'チーム ID'],
  teamName: ['Team name', 'Teamname', 'Nom de l’équipe', 'Nombre del equipo', 'チーム名'],
  subscriptionId: ['Subscription ID', 'Abonnement-ID', 'ID d’abonnement', 'ID de suscripción', 'サブスクリプション ID'],
  contractNumber: ['Contract number', 'Vertragsnummer', 'Numéro de contrat', 'Número de contrato', '契約番号'],
  productName: ['Product', 'Produkt', 'Produit', 'Producto', '製品'],
  productLineCode: ['Product line code', 'Produktlinien-Code', 'Code de gamme', 'Código de línea de producto', '製品ラインコード'],
  offeringType: ['Offering type', 'Angebotsart', 'Type d’offre', 'Tipo de oferta', 'オファリングの種類'],
  term: ['Term', 'Laufzeit', 'Durée', 'Plazo', '期間'],
  status: ['Status', 'Status', 'Statut', 'Estado', 'ステータス'],
  quantity: ['Quantity', 'Menge', 'Quantité', 'Cantidad', '数量'],
  assignedSeats: ['Assigned seats', 'Zugewiesene Plätze', 'Postes attribués', 'Puestos asignados', '割り当て済みシート'],
  startDate: ['Start date', 'Startdatum', 'Date de début', 'Fecha de inicio', '開始日'],
  endDate: ['End date', 'Enddatum', 'Date de fin', 'Fecha de finalización', '終了日'],
  renewalDate: ['Renewal date', 'Verlängerungsdatum', 'Date de renouvellement', 'Fecha de renovación', '更新日'],
  userId: ['User ID', 'Benutzer-ID', 'ID utilisateur', 'ID de usuario', 'ユーザー ID'],
  userName: ['User name', 'Benutzername', 'Nom d’utilisateur', 'Nombre de usuario', 'ユーザー名'],
  fullName: ['Full name', 'Vollständiger Name', 'Nom complet', 'Nombre completo', '氏名'],
  emailAddress: ['E-mail address', 'E-Mail-Adresse', 'Adresse e-mail', 'Correo electrónico', 'メールアドレス'],
  userStatus: ['User status', 'Benutzerstatus', 'Statut de l’utilisateur', 'Estado del usuario', 'ユーザーのステータス'],
  assignedProducts: ['Assigned products', 'Zugewiesene Produkte', 'Produits attribués', 'Productos asignados', '割り当て済み製品'],
  lastUsageDate: ['Last usage date', 'Letzte Nutzung', 'Dernière utilisation', 'Último uso', '最終使用日'],
  usageDate: ['Usage date', 'Nutzungsdatum', 'Date d’utilisation', 'Fecha de uso', '使用日'],
  version: ['Version', 'Version', 'Version', 'Versión', 'バージョン'],
  source: ['Source', 'Quelle', 'Source', 'Origen', 'ソース'],
  tokens: ['Tokens', 'Token', 'Jetons', 'Tokens', 'トークン'],
  uniqueUsers: ['Unique users', 'Eindeutige Benutzer', 'Utilisateurs uniques', 'Usuarios únicos', 'ユニークユーザー数'],
  totalUniqueDays: ['Unique days', 'Eindeutige Tage', 'Jours uniques', 'Días únicos', '使用日数'],
  totalTokens: ['Total tokens', 'Token gesamt', 'Total des jetons', 'Total de tokens', 'トークン合計'],
  assigned: ['Assigned', 'Zugewiesen', 'Attribué', 'Asignado', '割り当て済み'],
  earliestUsageDate: ['First usage', 'Erste Nutzung', 'Première utilisation', 'Primer uso', '初回使用日'],
  latestUsageDate: ['Last usage', 'Letzte Nutzung', 'Dernière utilisation', 'Último uso', '最終使用日'],
};

/** Worksheet names of EXCEL reports, by report file. */
const SHEETS: Readonly<Record<string, Labels>> = {
  SUBSCRIPTIONS: ['Subscriptions', 'Abonnements', 'Abonnements', 'Suscripciones', 'サブスクリプション'],
  USERS: ['Users', 'Benutzer', 'Utilisateurs', 'Usuarios', 'ユーザー'],
  USAGE: ['Usage', 'Nutzung', 'Utilisation', 'Uso', '使用状況'],
  USAGE_REPORT_SUMMARY: ['Usage by product', 'Nutzung nach Produkt', 'Utilisation par produit', 'Uso por producto', '製品別使用状況'],
  USAGE_REPORT_DETAIL: ['Usage by product and user', 'Nutzung nach Produkt u. Benutzer', 'Utilisation par produit et util.', 'Uso por producto y usuario', '製品別・ユーザー別使用状況'],
};

function pick(labels: Labels | undefined, language: Language, fallback: string): string {
  return labels?.[LANGUAGES.indexOf(language)] ?? fallback;
}

export function headerLabel(column: string, language: Language): string {
  return pick(HEADERS[column], language, column);
}

export function sheetLabel(report: string, language: Language): string {
  return pick(SHEETS[report], language, report);
}
