// Mini-program signals: network status changes, and the app going to the background and back
// (where the platform cuts sockets ~5 s after hiding, and allows no network until shown).

/**
 * @param {any} api wx, tt, qq, swan, my, uni or Taro
 * @returns {import('../lifeline.js').Platform}
 */
export function miniProgramPlatform(api) {
  return {
    initial() {
      return { online: true, foreground: true };
    },
    subscribe({ network, foreground }) {
      let active = true;
      const onNetwork = (/** @type {any} */ res) => active && network(res?.isConnected !== false && res?.networkType !== 'none');
      const onShow = () => active && foreground(true);
      const onHide = () => active && foreground(false);
      api.onNetworkStatusChange?.(onNetwork);
      api.onAppShow?.(onShow);
      api.onAppHide?.(onHide);
      // The starting state: offline apps should not spend attempts before the first change.
      try {
        api.getNetworkType?.({
          success: (/** @type {any} */ res) => active && res?.networkType === 'none' && network(false),
        });
      } catch {
        // an API that refuses the call leaves us assuming online, as before
      }
      return () => {
        active = false; // platforms without off* methods keep calling us: we ignore them
        api.offNetworkStatusChange?.(onNetwork);
        api.offAppShow?.(onShow);
        api.offAppHide?.(onHide);
      };
    },
  };
}
