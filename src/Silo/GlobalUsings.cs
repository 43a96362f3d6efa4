global using Microsoft.Extensions.Hosting;
global using Orleans.Dashboard;
