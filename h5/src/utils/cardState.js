// What a holder's card (GET /me `card`) allows before a green-channel form is filled in.

const REFUSALS = {
  disabled: '您的英才卡已停用，暂不能使用绿色通道服务',
  expired: '您的英才卡已过有效期，请先办理续办',
}

/** The refusal the server would answer (CARD_DISABLED / CARD_EXPIRED / NO_CARD), or '' when the card may be used. */
export function cardRefusal(user) {
  if (!user || !(user.roles || []).includes('holder') || !('card' in user)) return ''
  if (!user.card) return '您还没有英才卡，申领通过后即可预约绿色通道服务'
  return REFUSALS[user.card.status] || ''
}
