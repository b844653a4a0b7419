/** One realistic example of every supported key shape (made up; none is a live key). */
export const KEY_EXAMPLES: ReadonlyArray<[string, string]> = [
  ['sk-' + 'a1B2c3D4'.repeat(6), 'OpenAI-style key'],
  ['sk-proj-' + 'x_Y-9zQ7'.repeat(20), 'OpenAI-style key'],
  ['sk-ant-api03-' + 'Ab3_dE6-'.repeat(12), 'Anthropic'],
  ['AIza' + 'Sy9dFh2K_l-0mNbVcXz1QwErTyUiOpAsDfG', 'Google'],
  ['ghp_' + 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6', 'GitHub token'],
  ['github_pat_' + '11ABCDEFG0' + 'abcdefghij_1234567890'.repeat(4), 'GitHub fine-grained'],
  ['AKIAIOSFODNN7EXAMPLE', 'AWS'],
  ['ASIAY34FZKBOKMUTVV7A', 'AWS'],
  ['xoxb-2417583729-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'Slack'],
  ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'JWT'],
]
