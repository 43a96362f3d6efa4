global using Microsoft.Extensions.Logging;
global using Missions.Execution;
global using Missions.LanguageModel;
