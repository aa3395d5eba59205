module.exports = { preset: 'agenttape' };
