global using Microsoft.Extensions.Logging;
global using Missions.Log;
